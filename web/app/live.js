// live — one EventSource on /api/v1/stream for the whole console, and a
// tiny publish/subscribe that pages use to hear about state changes.
//
// Topics: "state" (the event's data: {monitor_id, monitor, system, state,
// since, reason}), "status" ("connecting" | "live" | "reconnecting" |
// "stopped"), and "reconnected" after a break, when a page should refetch
// what it shows because changes may have been missed meanwhile.
//
// On an error the stream is closed and opened again after a growing delay
// (1 s, 2 s, 4 s … 30 s, with some jitter so that a hundred consoles do not
// reconnect in step after a server restart). The browser's own retry is not
// used: it gives up for good on a 401 or 404 answer.

/** A pub/sub: on(topic, fn) returns the function that unsubscribes. */
export function createBus() {
  const subs = new Map();
  return {
    on(topic, fn) {
      if (!subs.has(topic)) subs.set(topic, new Set());
      subs.get(topic).add(fn);
      return () => {
        const s = subs.get(topic);
        if (s) s.delete(fn);
      };
    },
    emit(topic, data) {
      const s = subs.get(topic);
      if (!s) return;
      for (const fn of [...s]) {
        try {
          fn(data);
        } catch (e) {
          // One page's bug must not stop the others hearing the event.
          if (typeof console !== 'undefined') console.error('live subscriber', e);
        }
      }
    },
    count(topic) {
      const s = subs.get(topic);
      return s ? s.size : 0;
    },
  };
}

/** Delay before reconnect attempt n (0-based), in ms, before jitter. */
export function backoff(n, min = 1000, max = 30000) {
  return Math.min(max, min * 2 ** Math.min(n, 16));
}

export function createLive({
  url = '/api/v1/stream',
  ES = globalThis.EventSource,
  timers = { setTimeout: (...a) => globalThis.setTimeout(...a), clearTimeout: (...a) => globalThis.clearTimeout(...a) },
  random = Math.random,
} = {}) {
  const bus = createBus();
  let es = null;
  let attempts = 0;
  let timer = null;
  let status = 'stopped';
  let broken = false; // an error happened since the last open

  function setStatus(s) {
    if (s === status) return;
    status = s;
    bus.emit('status', s);
  }

  function open() {
    timer = null;
    if (!ES) {
      setStatus('stopped');
      return;
    }
    setStatus(attempts === 0 && !broken ? 'connecting' : 'reconnecting');
    es = new ES(url, { withCredentials: true });
    es.addEventListener('open', () => {
      attempts = 0;
      setStatus('live');
      if (broken) {
        broken = false;
        bus.emit('reconnected');
      }
    });
    es.addEventListener('state', (ev) => {
      let data;
      try {
        data = JSON.parse(ev.data);
      } catch {
        return; // not ours to show
      }
      if (data && typeof data === 'object') bus.emit('state', data);
    });
    // An incident opened or changed (the desk publishes {"id":N}): the
    // incident pages refetch what they show.
    es.addEventListener('incident', (ev) => {
      let data;
      try {
        data = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (data && typeof data === 'object') bus.emit('incident', data);
    });
    es.addEventListener('error', () => {
      if (es) es.close();
      es = null;
      broken = true;
      setStatus('reconnecting');
      const d = backoff(attempts++);
      timer = timers.setTimeout(open, d + Math.floor(random() * d * 0.2));
    });
  }

  return {
    on: bus.on,
    emit: bus.emit,
    get status() {
      return status;
    },
    start() {
      if (es || timer) return;
      attempts = 0;
      broken = false;
      open();
    },
    stop() {
      if (timer) timers.clearTimeout(timer);
      timer = null;
      if (es) es.close();
      es = null;
      setStatus('stopped');
    },
  };
}

/** The console's stream. */
export const live = createLive();
