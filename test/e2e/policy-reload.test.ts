import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, requestIdIn, startHarness, testPolicy, USERS, type Harness } from '../support/harness.js';

describe('policy reload', () => {
  let h: Harness;
  let path: string;
  before(async () => {
    h = await startHarness();
    path = join(h.dir, 'policy.yaml');
  });
  after(async () => {
    await h.close();
  });

  const policyChanges = () => h.sqlite.prepare("select actor, subject_id, details from audit_events where action = 'policy.changed'").all() as { actor: string; subject_id: string; details: string }[];

  test('an invalid new policy is rejected and the old one stays', async () => {
    writeFileSync(path, testPolicy(h.webhook.url).replace('approvers: [db-leads]', 'approvers: [db-laeds]'));
    const outcome = await h.bot.reloadPolicyFile(path);
    assert.equal(outcome.kind, 'rejected');
    assert.match(outcome.kind === 'rejected' ? outcome.problems.join('\n') : '', /"db-laeds" is neither a user ID/);
    const id = requestIdIn(await h.ask(USERS.alice, 'prod-db 10m still the old rules INC-1'));
    await h.click(USERS.lead, 'approve', id);
    await eventually('approval under the old rules', () => h.grantFor(id));
    assert.deepEqual(policyChanges(), []);
  });

  test('a new approver can decide new requests, but requests already waiting keep the rules they were made under', async () => {
    const waiting = requestIdIn(await h.ask(USERS.alice, 'prod-db 10m made under the old rules INC-2'));
    await h.openHome(USERS.outsider);
    const homes = () => h.slack.callsTo('views.publish').filter((c) => c.args['user_id'] === USERS.outsider);
    await eventually('the outsider\'s App Home', () => homes()[0]);
    const next = testPolicy(h.webhook.url).replace('db-leads: { users: [U0LEAD1, U0LEAD2] }', `db-leads: { users: [U0LEAD1, U0LEAD2, ${USERS.outsider}] }`);
    writeFileSync(path, next);
    const outcome = await h.bot.reloadPolicyFile(path);
    assert.equal(outcome.kind, 'reloaded');
    assert.deepEqual(outcome.kind === 'reloaded' ? outcome.changes : [], [`approver_groups.db-leads: +${USERS.outsider}`]);

    const [change] = policyChanges();
    const details = JSON.parse(change?.details ?? '{}') as { from_version: string; sha256_before: string; sha256_after: string; changes: string[] };
    assert.equal(change?.actor, 'jitbot');
    assert.match(details.sha256_before, /^[0-9a-f]{64}$/);
    assert.notEqual(details.sha256_before, details.sha256_after);
    assert.deepEqual(details.changes, [`approver_groups.db-leads: +${USERS.outsider}`]);
    const announced = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0SECURITY' && /The access policy changed/.test(String(c.args['text'])));
    assert.match(String(announced.args['text']), /approver_groups\.db-leads: \+U0OUTSIDE/);

    // A policy change redraws every App Home: the new approver's queue is worked out again.
    await eventually('the App Home redrawn after the change', () => homes()[1]);
    assert.ok(!JSON.stringify(homes()[1]?.args['view']).includes(waiting), 'not waiting on them: made under the old rules');

    const { responseName } = await h.click(USERS.outsider, 'approve', waiting);
    assert.match(String((await h.slack.waitForResponse(responseName)).body['text']), /not an approver/);
    assert.equal((await h.bot.store.findRequest(waiting))?.status, 'pending');

    const fresh = requestIdIn(await h.ask(USERS.alice, 'prod-db 10m made under the new rules INC-3'));
    await eventually('the new request in the new approver\'s App Home', () => homes().find((c) => JSON.stringify(c.args['view']).includes(`"value":"${fresh}"`)));
    await h.click(USERS.outsider, 'approve', fresh);
    await eventually('approval by the new approver', () => h.grantFor(fresh));
    assert.equal((await h.bot.store.findRequest(fresh))?.decidedBy, USERS.outsider);
  });

  test('reloading the same file changes nothing', async () => {
    assert.equal((await h.bot.reloadPolicyFile(path)).kind, 'unchanged');
    assert.equal(policyChanges().length, 1);
  });
});

describe('a staged request across a reload', () => {
  let h: Harness;
  const vault = (stage2: string, more = '') => `
  vault:
    channel: C0VAULT
    max_duration: 1h
    stages:
      - { approvers: [db-leads] }
      - { approvers: [${stage2}] }${more}
`;
  before(async () => {
    h = await startHarness({ policyExtra: vault('security') });
  });
  after(async () => {
    await h.close();
  });

  test('the thread names the next stage of the rules the request was made under, not the new ones', async () => {
    const id = requestIdIn(await h.ask(USERS.alice, 'vault 10m rotate keys'));
    const path = join(h.dir, 'policy.yaml');
    writeFileSync(path, testPolicy(h.webhook.url, vault(USERS.outsider, '\n      - { approvers: [security] }')));
    assert.equal((await h.bot.reloadPolicyFile(path)).kind, 'reloaded');
    await h.click(USERS.lead, 'approve', id);
    const reply = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0VAULT' && /Stage 2 of/.test(String(c.args['text'])));
    assert.match(String(reply.args['text']), /Stage 2 of 2: <!subteam\^S0SECURITY>, your approval is needed/);
  });
});
