'use strict';
// TOTP codes (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits) for the accounts the
// tests enrol, computed here so that the tests need no authenticator app.
const crypto = require('node:crypto');

const STEP_MS = 30 * 1000;

// RFC 4648 base32 without padding, either case.
function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = s.replace(/=+$/, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error(`base32: bad character ${JSON.stringify(ch)}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// HOTP (RFC 4226) of counter, 6 digits.
function hotp(key, counter) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac('sha1', key).update(msg).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 1000000).padStart(6, '0');
}

function step(timeMs = Date.now()) {
  return Math.floor(timeMs / STEP_MS);
}

// The code of a given time step (the server accepts one step either side of
// now, never a step at or before the last one used).
function totpAt(secretB32, stepNo) {
  return hotp(base32Decode(secretB32), stepNo);
}

function totp(secretB32, timeMs = Date.now()) {
  return totpAt(secretB32, step(timeMs));
}

module.exports = { base32Decode, hotp, totp, totpAt, step, STEP_MS };
