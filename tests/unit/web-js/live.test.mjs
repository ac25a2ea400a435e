// live: the pub/sub, and the stream's reconnect with growing delays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBus, createLive, backoff } from '../../../web/app/live.js';

test('bus: subscribe, emit, unsubscribe; a throwing subscriber does not stop others', () => {
  const bus = createBus();
  const got = [];
  const off = bus.on('state', (d) => got.push(['a', d]));
  bus.on('state', () => { throw new Error('bug'); });
  bus.on('state', (d) => got.push(['c', d]));
  const err = console.error;
  console.error = () => {};
  bus.emit('state', 1);
  off();
  bus.emit('state', 2);
  console.error = err;
  assert.deepEqual(got, [['a', 1], ['c', 1], ['c', 2]]);
  assert.equal(bus.count('state'), 2);
  bus.emit('nobody', 3);
});

test('backoff doubles up to the cap', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 40].map((n) => backoff(n)), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
});

class FakeES {
  static all = [];
  constructor(url, opts) {
    this.url = url;
    this.opts = opts;
    this.handlers = {};
    this.closed = false;
    FakeES.all.push(this);
  }
  addEventListener(type, fn) {
    (this.handlers[type] ||= []).push(fn);
  }
  fire(type, ev = {}) {
    for (const fn of this.handlers[type] || []) fn(ev);
  }
  close() {
    this.closed = true;
  }
}

test('stream: state events, errors, reconnect with delay, refetch signal', () => {
  FakeES.all = [];
  const pending = [];
  const timers = { setTimeout: (fn, ms) => { pending.push({ fn, ms }); return pending.length; }, clearTimeout: () => {} };
  const live = createLive({ ES: FakeES, timers, random: () => 0 });
  const statuses = [];
  const states = [];
  let reconnected = 0;
  live.on('status', (s) => statuses.push(s));
  live.on('state', (d) => states.push(d));
  live.on('reconnected', () => reconnected++);

  live.start();
  live.start(); // a second start is a no-op
  assert.equal(FakeES.all.length, 1);
  const es = FakeES.all[0];
  assert.equal(es.url, '/api/v1/stream');
  assert.equal(es.opts.withCredentials, true);
  es.fire('open');
  assert.equal(live.status, 'live');
  es.fire('state', { data: '{"monitor_id":7,"monitor":"portal-home","state":"down","reason":"HTTP 503"}' });
  es.fire('state', { data: 'not json' });
  assert.deepEqual(states, [{ monitor_id: 7, monitor: 'portal-home', state: 'down', reason: 'HTTP 503' }]);

  es.fire('error');
  assert.equal(es.closed, true);
  assert.equal(live.status, 'reconnecting');
  assert.equal(pending[0].ms, 1000);
  pending.shift().fn();
  const es2 = FakeES.all[1];
  es2.fire('error'); // still down: a longer wait
  assert.equal(pending[0].ms, 2000);
  pending.shift().fn();
  const es3 = FakeES.all[2];
  es3.fire('open');
  assert.equal(reconnected, 1);
  assert.equal(live.status, 'live');
  es3.fire('error');
  assert.equal(pending[0].ms, 1000); // the delay starts over after a good open

  live.stop();
  assert.equal(live.status, 'stopped');
  assert.deepEqual(statuses, ['connecting', 'live', 'reconnecting', 'live', 'reconnecting', 'stopped']);
});

test('no EventSource (old browser, Node): stays stopped', () => {
  const live = createLive({ ES: undefined });
  live.start();
  assert.equal(live.status, 'stopped');
});
