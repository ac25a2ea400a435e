// model: the fallback role matrix matches src/auth/roles.c; durations,
// names, error fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ROLES, ACTIONS, ROLE_ACTIONS, sessionActions, stateRank, stateOf, durationSeconds, DURATION_RE, NAME_RE, fieldRoot, stripField,
} from '../../../web/app/model.js';

const here = dirname(fileURLToPath(import.meta.url));
const rolesC = readFileSync(join(here, '../../../src/auth/roles.c'), 'utf8');
const rolesH = readFileSync(join(here, '../../../src/auth/roles.h'), 'utf8');

/** {role: Set(action)} read from roles.c's table, action names from its actions table. */
function matrixFromC() {
  const actName = {};
  for (const m of rolesC.matchAll(/\[(ACT_[A-Z_]+)\]\s*=\s*\{"([a-z.]+)"/g)) actName[m[1]] = m[2];
  const out = {};
  const re = /\[ROLE_[A-Z]+\]\s*=\s*\{"([a-z]+)",\s*"[^"]*",([^}]*)\}/g;
  for (const m of rolesC.matchAll(re)) out[m[1]] = new Set([...m[2].matchAll(/A\((ACT_[A-Z_]+)\)/g)].map((x) => actName[x[1]]));
  return { out, actName };
}

test('ROLE_ACTIONS is the matrix of src/auth/roles.c', () => {
  const { out, actName } = matrixFromC();
  assert.deepEqual(Object.keys(out), ROLES, 'roles and their order');
  assert.deepEqual(Object.values(actName), ACTIONS, 'actions and their order');
  for (const r of ROLES) assert.deepEqual(new Set(ROLE_ACTIONS[r]), out[r], r);
  assert.ok(/ROLE_VIEWER/.test(rolesH));
});

test('sessionActions prefers the server list, else derives from roles', () => {
  assert.deepEqual([...sessionActions({ roles: ['engineer'], actions: ['ops.read'] })], ['ops.read']);
  const a = sessionActions({ roles: ['engineer', 'viewer'] });
  assert.ok(a.has('monitor.operate') && a.has('ops.read') && a.has('self'));
  assert.ok(!a.has('monitor.write'));
  assert.deepEqual([...sessionActions({ roles: ['nonsense'] })], []);
  assert.equal(sessionActions(null).size, 0);
  assert.ok(!sessionActions({ roles: ['auditadmin'] }).has('ops.read'));
});

test('states sort trouble first; unknown is shown as no data', () => {
  assert.ok(stateRank('down') < stateRank('maintenance'));
  assert.ok(stateRank('maintenance') < stateRank('up'));
  assert.equal(stateRank('weird'), 5);
  assert.equal(stateOf('weird'), 'no_data');
  assert.equal(stateOf('up'), 'up');
});

test('durations as the API writes them', () => {
  assert.equal(durationSeconds('60s'), 60);
  assert.equal(durationSeconds('1h30m'), 5400);
  assert.equal(durationSeconds('500ms'), 0.5);
  assert.equal(durationSeconds('7d'), 604800);
  assert.ok(Number.isNaN(durationSeconds('5x')));
  assert.ok(Number.isNaN(durationSeconds('')));
  assert.ok(Number.isNaN(durationSeconds('60')));
  assert.ok(!DURATION_RE.test('1 h'));
});

test('names', () => {
  assert.ok(NAME_RE.test('portal-home'));
  assert.ok(NAME_RE.test('a'));
  assert.ok(NAME_RE.test('0.a_b-c'));
  assert.ok(!NAME_RE.test('-x'));
  assert.ok(!NAME_RE.test('Portal'));
  assert.ok(!NAME_RE.test('门户'));
  assert.ok(!NAME_RE.test('a'.repeat(65)));
});

test('error fields map to form controls', () => {
  assert.equal(fieldRoot('interval'), 'interval');
  assert.equal(fieldRoot('headers.Authorization'), 'headers');
  assert.equal(fieldRoot('json[0].path'), 'json');
  assert.equal(fieldRoot('body'), null);
  assert.equal(fieldRoot(null), null);
  assert.equal(stripField('interval: must be at least 1s', 'interval'), 'must be at least 1s');
  assert.equal(stripField('headers.X: expected a string', 'headers.X'), 'headers.X: expected a string');
  assert.equal(stripField('json[0].path: must not be empty', 'json[0].path'), 'json[0].path: must not be empty');
  assert.equal(stripField('no prefix', 'interval'), 'no prefix');
});
