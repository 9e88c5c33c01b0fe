#!/usr/bin/env node
// Proves the desktopchat hub serves the OFFICIAL Pusher JavaScript libraries:
//   * pusher-js (the Node build `require('pusher-js')` resolves to: dist/node/pusher.js, which
//     connects with its bundled faye-websocket client), as the receiving/client-event side;
//   * pusher (pusher-http-node), the official Node server library, for the HTTP API and for
//     signing channel authorizations and user signins.
//
// Usage:  HUB_SECRET=<app secret> node hub_compat.js HOST PORT APP_ID KEY
// The secret is read from the environment only, never from argv (argv is visible in `ps`).
//
// Output: one JSON line per check on stdout, {"check": name, "ok": bool, "detail": str}.
// Exit status: 0 if every check passed, 1 if any failed, 2 on a usage error.
// Set HUB_COMPAT_DEBUG=1 to get pusher-js' own log (every frame in and out) on stderr.
//
// No check sleeps. Where something must NOT happen (an echo, a forged or excluded delivery),
// a sentinel event is sent afterwards along the same ordered path (the hub handles one
// socket's frames and the HTTP calls in order, and each socket's outgoing queue is FIFO):
// once the sentinel arrives, the unwanted event would already have arrived before it.
'use strict';

const assert = require('node:assert/strict');
const PusherJS = require('pusher-js');
const PusherServer = require('pusher');

/** Budget for one check, and for the whole script (the caller's own timeout is larger). */
const CHECK_TIMEOUT_MS = 5000;
const TOTAL_BUDGET_MS = 25000;
const STARTED = Date.now();
const DEADLINE = STARTED + TOTAL_BUDGET_MS;

const CHANNEL_PUBLIC = 'compat-public';
const CHANNEL_PRIVATE = 'private-compat';
const CHANNEL_PRESENCE = 'presence-compat';

const USERS = {
  alice: { user_id: 'alice', user_info: { name: 'Alice', colour: 'teal' } },
  bob: { user_id: 'bob', user_info: { name: 'Bob', emoji: '🦊' } },
  carol: { user_id: 'carol', user_info: { name: 'Carol' } },
};
const SIGNIN_USER = { id: 'dave', user_info: { name: 'Dave' } };

// ------------------------------------------------------------------------------ arguments

function usage(message) {
  process.stderr.write(`hub_compat.js: ${message}\n`);
  process.stderr.write('usage: HUB_SECRET=<secret> node hub_compat.js HOST PORT APP_ID KEY\n');
  process.exit(2);
}

const [host, portText, appId, key] = process.argv.slice(2);
const secret = process.env.HUB_SECRET;
if (process.argv.length !== 6) usage('expected exactly 4 arguments');
if (!secret) usage('HUB_SECRET is not set (the secret is never taken from argv)');
const port = Number(portText);
if (!Number.isInteger(port) || port <= 0 || port > 65535) usage(`bad port ${portText}`);

if (process.env.HUB_COMPAT_DEBUG) {
  PusherJS.log = (message) => process.stderr.write(`[pusher-js] ${message}\n`);
}

// ------------------------------------------------------------------------- check runner

const results = new Map();

function report(check, ok, detail) {
  results.set(check, ok);
  process.stdout.write(`${JSON.stringify({ check, ok, detail })}\n`);
}

function describe(error) {
  if (error && error.name === 'RequestError') {
    return `${error.message} (status ${error.status}) body=${error.body}`;
  }
  return error && error.message ? error.message : String(error);
}

/**
 * Run `fn` as the check `name`, within its own timeout and the global deadline.
 * Checks whose prerequisites failed are reported as failed at once, without waiting.
 * `context()`, if given, adds what the clients saw to a failure's detail.
 */
async function check(name, fn, { needs = [], timeout = CHECK_TIMEOUT_MS, context } = {}) {
  const missing = needs.filter((n) => results.get(n) !== true);
  if (missing.length > 0) {
    report(name, false, `not run: prerequisite check(s) failed: ${missing.join(', ')}`);
    return false;
  }
  const budget = Math.min(timeout, DEADLINE - Date.now());
  if (budget <= 0) {
    report(name, false, `not run: the ${TOTAL_BUDGET_MS} ms script budget is spent`);
    return false;
  }
  let timer;
  const timedOut = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${budget} ms`)), budget);
  });
  try {
    const detail = await Promise.race([fn(), timedOut]);
    report(name, true, detail || 'ok');
    return true;
  } catch (error) {
    report(name, false, describe(error) + (context ? `; ${context()}` : ''));
    return false;
  } finally {
    clearTimeout(timer);
  }
}

// ------------------------------------------------------------------------------ helpers

/** The official server library pointed at the hub (plain HTTP on loopback). */
function serverLibrary(withSecret) {
  return new PusherServer({
    appId,
    key,
    secret: withSecret,
    host,
    port: String(port),
    useTLS: false,
    timeout: CHECK_TIMEOUT_MS,
  });
}

const api = serverLibrary(secret);
// Same app, same key, but a secret that is not the app's: every request must get 401.
const forger = serverLibrary(`${secret}-not-the-secret`);

const clients = [];

/** A pusher-js client as an app would configure it for the hub; signing done by `api`. */
function makeClient(label, { presenceUser = null, signinUser = null } = {}) {
  const record = { label, errors: [], states: [], authCalls: [] };
  const options = {
    wsHost: host,
    wsPort: port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    cluster: 'local',
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, callback) => {
        record.authCalls.push({ socketId, channelName });
        try {
          const data = channelName.startsWith('presence-') ? presenceUser : undefined;
          callback(null, api.authorizeChannel(socketId, channelName, data));
        } catch (error) {
          callback(error, null);
        }
      },
    },
  };
  if (signinUser) {
    options.userAuthentication = {
      customHandler: ({ socketId }, callback) => {
        try {
          callback(null, api.authenticateUser(socketId, signinUser));
        } catch (error) {
          callback(error, null);
        }
      },
    };
  }
  const client = new PusherJS(key, options);
  client.connection.bind('error', (error) => record.errors.push(error));
  client.connection.bind('state_change', ({ current }) => record.states.push(current));
  record.client = client;
  clients.push(record);
  return record;
}

/** What a client went through, for failure details: its states and connection errors. */
function history(...records) {
  return records
    .map((r) => {
      const states = r.states.join('>') || 'none';
      return `${r.label}: states=${states} errors=${JSON.stringify(r.errors)}`;
    })
    .join('; ');
}

/** Resolve with the next `event` on `emitter` accepted by `accept` ({data, metadata}). */
function nextEvent(emitter, event, accept = () => true) {
  return new Promise((resolve) => {
    const handler = (data, metadata) => {
      if (!accept(data, metadata)) return;
      emitter.unbind(event, handler);
      resolve({ data, metadata });
    };
    emitter.bind(event, handler);
  });
}

/** Resolve once the connection is in `state` (at once if it already is). */
function connectionState(record, state) {
  const { connection } = record.client;
  if (connection.state === state) return Promise.resolve();
  return nextEvent(connection, 'state_change', ({ current }) => current === state);
}

/** Every event a channel emits, in order, for checks that something did NOT arrive. */
function recordEvents(channel) {
  const seen = [];
  channel.bind_global((event, data) => seen.push({ event, data }));
  return seen;
}

/** Subscribe and wait for pusher:subscription_succeeded; fail fast on subscription_error. */
function subscribe(record, name) {
  const channel = record.client.subscribe(name);
  return Promise.race([
    nextEvent(channel, 'pusher:subscription_succeeded').then(({ data }) => ({ channel, data })),
    nextEvent(channel, 'pusher:subscription_error').then(({ data }) => {
      throw new Error(`${record.label}: subscription_error on ${name}: ${JSON.stringify(data)}`);
    }),
  ]);
}

const names = (events) => events.map((e) => e.event).filter((e) => !e.startsWith('pusher'));

// -------------------------------------------------------------------------------- checks

async function main() {
  const alice = makeClient('alice', { presenceUser: USERS.alice });
  const bob = makeClient('bob', { presenceUser: USERS.bob });
  const channels = {};
  const seen = {};

  await check(
    'connect',
    async () => {
      await Promise.all([connectionState(alice, 'connected'), connectionState(bob, 'connected')]);
      for (const record of [alice, bob]) {
        const socketId = record.client.connection.socket_id;
        assert.match(socketId, /^\d+\.\d+$/, `${record.label}: socket_id ${socketId}`);
      }
      assert.notEqual(alice.client.connection.socket_id, bob.client.connection.socket_id);
      return `alice=${alice.client.connection.socket_id} bob=${bob.client.connection.socket_id}`;
    },
    { context: () => history(alice, bob) },
  );

  await check(
    'public_trigger',
    async () => {
      const [a, b] = await Promise.all([
        subscribe(alice, CHANNEL_PUBLIC),
        subscribe(bob, CHANNEL_PUBLIC),
      ]);
      channels.alicePublic = a.channel;
      channels.bobPublic = b.channel;
      seen.alicePublic = recordEvents(a.channel);
      seen.bobPublic = recordEvents(b.channel);
      const payload = { text: 'hello from the Node server library', n: 1, nested: { ok: true } };
      const received = Promise.all([
        nextEvent(a.channel, 'greeting'),
        nextEvent(b.channel, 'greeting'),
      ]);
      const response = await api.trigger(CHANNEL_PUBLIC, 'greeting', payload);
      assert.equal(response.status, 200);
      for (const { data } of await received) assert.deepEqual(data, payload);
      return 'both subscribers received the event with its data intact';
    },
    { needs: ['connect'] },
  );

  await check(
    'trigger_socket_id_exclusion',
    async () => {
      const excluded = alice.client.connection.socket_id;
      const bobGot = nextEvent(channels.bobPublic, 'excluded');
      await api.trigger(CHANNEL_PUBLIC, 'excluded', { to: 'everyone but alice' }, {
        socket_id: excluded,
      });
      await bobGot;
      const sentinel = nextEvent(channels.alicePublic, 'after-excluded');
      await api.trigger(CHANNEL_PUBLIC, 'after-excluded', {});
      await sentinel;
      const got = names(seen.alicePublic);
      assert.ok(!got.includes('excluded'), `excluded socket got it anyway: ${got}`);
      return `bob received it; alice (${excluded}) did not, but got the sentinel after it`;
    },
    { needs: ['public_trigger'] },
  );

  await check(
    'wrong_secret_rejected',
    async () => {
      let status;
      try {
        await forger.trigger(CHANNEL_PUBLIC, 'forged', { evil: true });
      } catch (error) {
        status = error.status;
        if (status !== 401) throw new Error(`expected status 401, got: ${describe(error)}`);
      }
      assert.equal(status, 401, 'a trigger signed with the wrong secret was accepted');
      const sentinels = Promise.all([
        nextEvent(channels.alicePublic, 'after-forged'),
        nextEvent(channels.bobPublic, 'after-forged'),
      ]);
      await api.trigger(CHANNEL_PUBLIC, 'after-forged', {});
      await sentinels;
      for (const events of [seen.alicePublic, seen.bobPublic]) {
        assert.ok(!names(events).includes('forged'), 'the forged event was delivered');
      }
      return '401 from the hub, and the forged event reached nobody';
    },
    { needs: ['public_trigger'] },
  );

  await check(
    'private_subscribe',
    async () => {
      const [a, b] = await Promise.all([
        subscribe(alice, CHANNEL_PRIVATE),
        subscribe(bob, CHANNEL_PRIVATE),
      ]);
      channels.alicePrivate = a.channel;
      channels.bobPrivate = b.channel;
      seen.alicePrivate = recordEvents(a.channel);
      for (const record of [alice, bob]) {
        const call = record.authCalls.find((c) => c.channelName === CHANNEL_PRIVATE);
        assert.ok(call, `${record.label}: customHandler was not asked to authorize`);
        assert.equal(call.socketId, record.client.connection.socket_id);
      }
      const received = nextEvent(b.channel, 'secret-news');
      await api.trigger(CHANNEL_PRIVATE, 'secret-news', { n: 42 });
      assert.deepEqual((await received).data, { n: 42 });
      return 'subscribed via customHandler + authorizeChannel; a trigger was received';
    },
    { needs: ['connect'] },
  );

  await check(
    'private_client_event',
    async () => {
      const payload = { typing: true, from: 'alice' };
      const bobGot = nextEvent(channels.bobPrivate, 'client-typing');
      assert.equal(channels.alicePrivate.trigger('client-typing', payload), true);
      const { data, metadata } = await bobGot;
      assert.deepEqual(data, payload);
      assert.equal(metadata && metadata.user_id, undefined, 'user_id on a private channel');
      const sentinel = nextEvent(channels.alicePrivate, 'after-typing');
      await api.trigger(CHANNEL_PRIVATE, 'after-typing', {});
      await sentinel;
      const got = names(seen.alicePrivate);
      assert.ok(!got.includes('client-typing'), `echoed to the sender: ${got}`);
      return 'bob received it; not echoed to alice (checked against a later sentinel)';
    },
    { needs: ['private_subscribe'] },
  );

  await check(
    'trigger_batch',
    async () => {
      const received = Promise.all([
        nextEvent(channels.alicePublic, 'batch-one'),
        nextEvent(channels.alicePrivate, 'batch-two'),
        nextEvent(channels.bobPrivate, 'batch-two'),
      ]);
      const response = await api.triggerBatch([
        { channel: CHANNEL_PUBLIC, name: 'batch-one', data: { n: 1 } },
        { channel: CHANNEL_PRIVATE, name: 'batch-two', data: 'a plain string' },
      ]);
      assert.equal(response.status, 200);
      const [one, two, twoAgain] = await received;
      assert.deepEqual(one.data, { n: 1 });
      assert.equal(two.data, 'a plain string');
      assert.equal(twoAgain.data, 'a plain string');
      return 'both batch events delivered to their channels';
    },
    { needs: ['public_trigger', 'private_subscribe'] },
  );

  await check(
    'presence_members',
    async () => {
      const a = await subscribe(alice, CHANNEL_PRESENCE);
      channels.alicePresence = a.channel;
      seen.alicePresence = recordEvents(a.channel);
      assert.equal(a.data.count, 1);
      assert.equal(a.data.me && a.data.me.id, 'alice');
      const added = nextEvent(a.channel, 'pusher:member_added');
      const b = await subscribe(bob, CHANNEL_PRESENCE);
      channels.bobPresence = b.channel;
      seen.bobPresence = recordEvents(b.channel);
      const members = b.data;
      assert.equal(members.count, 2, 'bob sees 2 members');
      assert.deepEqual(members.me, { id: 'bob', info: USERS.bob.user_info });
      assert.deepEqual(members.get('alice'), { id: 'alice', info: USERS.alice.user_info });
      const { data: member } = await added;
      assert.deepEqual(member, { id: 'bob', info: USERS.bob.user_info });
      assert.equal(a.channel.members.count, 2, 'alice sees 2 members');
      assert.deepEqual(a.channel.members.get('bob'), { id: 'bob', info: USERS.bob.user_info });
      return 'both see each other in members; alice got pusher:member_added for bob';
    },
    { needs: ['connect'] },
  );

  await check(
    'presence_client_event_user_id',
    async () => {
      const payload = { typing: true };
      const aliceGot = nextEvent(channels.alicePresence, 'client-typing');
      assert.equal(channels.bobPresence.trigger('client-typing', payload), true);
      const { data, metadata } = await aliceGot;
      assert.deepEqual(data, payload);
      assert.deepEqual(metadata, { user_id: 'bob' }, 'bind callback metadata');
      const sentinel = nextEvent(channels.bobPresence, 'after-presence-typing');
      await api.trigger(CHANNEL_PRESENCE, 'after-presence-typing', {});
      await sentinel;
      const got = names(seen.bobPresence);
      assert.ok(!got.includes('client-typing'), `echoed to the sender: ${got}`);
      return "alice got it with metadata.user_id 'bob'; not echoed to bob";
    },
    { needs: ['presence_members'] },
  );

  await check(
    'rest_channels_list',
    async () => {
      const response = await api.get({
        path: '/channels',
        params: { filter_by_prefix: 'presence-', info: 'user_count' },
      });
      assert.equal(response.status, 200);
      const body = await response.json();
      assert.deepEqual(body, { channels: { [CHANNEL_PRESENCE]: { user_count: 2 } } });
      return JSON.stringify(body);
    },
    { needs: ['presence_members'] },
  );

  await check(
    'rest_channel_info',
    async () => {
      const get = async (name, params) => {
        const response = await api.get({ path: `/channels/${name}`, params });
        assert.equal(response.status, 200, `${name}: status ${response.status}`);
        return response.json();
      };
      const presence = await get(CHANNEL_PRESENCE, { info: 'user_count' });
      assert.deepEqual(presence, { occupied: true, user_count: 2 });
      const publicInfo = await get(CHANNEL_PUBLIC, { info: 'subscription_count' });
      assert.deepEqual(publicInfo, { occupied: true, subscription_count: 2 });
      const empty = await get('compat-nobody-here', {});
      assert.deepEqual(empty, { occupied: false });
      return JSON.stringify({ presence, public: publicInfo, empty });
    },
    { needs: ['presence_members', 'public_trigger'] },
  );

  await check(
    'rest_channel_users',
    async () => {
      const response = await api.get({ path: `/channels/${CHANNEL_PRESENCE}/users` });
      assert.equal(response.status, 200);
      const body = await response.json();
      const ids = body.users.map((u) => u.id).sort();
      assert.deepEqual(ids, ['alice', 'bob']);
      return JSON.stringify(body);
    },
    { needs: ['presence_members'] },
  );

  await check(
    'presence_member_removed_unsubscribe',
    async () => {
      const removed = nextEvent(channels.alicePresence, 'pusher:member_removed');
      bob.client.unsubscribe(CHANNEL_PRESENCE);
      const { data: member } = await removed;
      assert.deepEqual(member, { id: 'bob', info: USERS.bob.user_info });
      assert.equal(channels.alicePresence.members.count, 1);
      assert.equal(channels.alicePresence.members.get('bob'), null);
      return 'alice got pusher:member_removed for bob after bob unsubscribed';
    },
    { needs: ['presence_members'] },
  );

  const carol = makeClient('carol', { presenceUser: USERS.carol });
  await check(
    'presence_member_removed_disconnect',
    async () => {
      await connectionState(carol, 'connected');
      const added = nextEvent(
        channels.alicePresence,
        'pusher:member_added',
        (m) => m.id === 'carol',
      );
      await subscribe(carol, CHANNEL_PRESENCE);
      assert.deepEqual((await added).data, { id: 'carol', info: USERS.carol.user_info });
      const removed = nextEvent(channels.alicePresence, 'pusher:member_removed');
      carol.client.disconnect();
      const { data: member } = await removed;
      assert.deepEqual(member, { id: 'carol', info: USERS.carol.user_info });
      assert.equal(channels.alicePresence.members.count, 1);
      return 'alice got member_added then member_removed for carol on disconnect';
    },
    { needs: ['presence_members'], context: () => history(carol) },
  );

  const dave = makeClient('dave', { signinUser: SIGNIN_USER });
  const serverToUserChannel = `#server-to-user-${SIGNIN_USER.id}`;
  let serverToUserReply;
  await check(
    'user_signin',
    async () => {
      await connectionState(dave, 'connected');
      const success = nextEvent(dave.client.connection, 'message', (e) =>
        e.event === 'pusher:signin_success' || e.event === 'pusher:error',
      );
      // After a signin pusher-js subscribes to the user's own channel by itself.
      serverToUserReply = nextEvent(dave.client.connection, 'message', (e) =>
        e.channel === serverToUserChannel &&
        ['pusher_internal:subscription_succeeded', 'pusher:subscription_error'].includes(e.event),
      );
      dave.client.signin();
      const { data: frame } = await success;
      assert.equal(frame.event, 'pusher:signin_success', `got ${JSON.stringify(frame)}`);
      await dave.client.user.signinDonePromise;
      assert.deepEqual(dave.client.user.user_data, SIGNIN_USER);
      return `signed in as ${dave.client.user.user_data.id}`;
    },
    { context: () => history(dave) },
  );

  await check(
    'send_to_user',
    async () => {
      // pusher-js sent `pusher:subscribe` for #server-to-user-<id> right after signin_success;
      // the hub's answer to it says whether sendToUser can ever reach this client.
      const { data: reply } = await serverToUserReply;
      if (reply.event !== 'pusher_internal:subscription_succeeded') {
        throw new Error(`the hub refused pusher-js' own subscription: ${JSON.stringify(reply)}`);
      }
      const received = nextEvent(dave.client.user, 'direct-message');
      const response = await api.sendToUser(SIGNIN_USER.id, 'direct-message', { hi: 'dave' });
      assert.equal(response.status, 200);
      assert.deepEqual((await received).data, { hi: 'dave' });
      return `sendToUser reached the signed-in client on ${serverToUserChannel}`;
    },
    { needs: ['user_signin'] },
  );

  await check(
    'terminate_user_connections',
    async () => {
      const closed = nextEvent(dave.client.connection, 'error', (e) =>
        Boolean(e && e.error && e.error.data && e.error.data.code === 4009),
      );
      const disconnected = connectionState(dave, 'disconnected');
      const response = await api.terminateUserConnections(SIGNIN_USER.id);
      assert.equal(response.status, 200);
      await Promise.all([closed, disconnected]);
      // The other clients must be untouched: a later event still reaches alice.
      const sentinel = nextEvent(channels.alicePublic, 'after-terminate');
      await api.trigger(CHANNEL_PUBLIC, 'after-terminate', {});
      await sentinel;
      assert.equal(alice.client.connection.state, 'connected');
      assert.equal(dave.client.connection.state, 'disconnected', 'dave reconnected');
      return "dave's connection was closed with 4009 (refused, no reconnect); alice unaffected";
    },
    { needs: ['user_signin', 'public_trigger'], context: () => history(dave) },
  );
}

// ------------------------------------------------------------------------------ shutdown

async function disconnectAll() {
  const waits = clients.map((record) => {
    const { connection } = record.client;
    if (['disconnected', 'initialized', 'failed'].includes(connection.state)) {
      record.client.disconnect();
      return Promise.resolve();
    }
    const done = connectionState(record, 'disconnected');
    record.client.disconnect();
    return done;
  });
  let timer;
  await Promise.race([
    Promise.all(waits),
    new Promise((resolve) => {
      timer = setTimeout(resolve, 2000);
    }),
  ]);
  clearTimeout(timer);
}

process.on('unhandledRejection', (error) => {
  process.stderr.write(`hub_compat.js: unhandled rejection: ${describe(error)}\n`);
});

// A last resort if a check leaves a handle open: never outlive the budget by much.
const guard = setTimeout(() => {
  process.stderr.write('hub_compat.js: still running after the budget; forcing exit\n');
  process.exit(1);
}, TOTAL_BUDGET_MS + 4000);
guard.unref();

main()
  .catch((error) => report('script', false, `crashed: ${describe(error)}`))
  .finally(async () => {
    await disconnectAll();
    const failed = [...results.values()].filter((ok) => !ok).length;
    process.stderr.write(
      `hub_compat.js: ${results.size - failed}/${results.size} checks passed ` +
        `in ${Date.now() - STARTED} ms\n`,
    );
    // Every client is disconnected now, but the Node build of pusher-js still holds a 30 s
    // timer for a connection the SERVER closed (terminateUserConnections): on a 40xx close
    // pusher-js calls close() on its already-closed faye-websocket socket, which arms
    // faye's CLOSE_TIMEOUT (30 s) that nothing clears. Real Pusher does the same to it;
    // exit explicitly rather than idle for 30 s (stdout/stderr writes are synchronous).
    process.exit(failed === 0 ? 0 : 1);
  });
