/**
 * The agent in real services: spans from the service's own OpenTelemetry tracer and from its
 * outbound HTTP and fetch calls, tagged with their request and on the profile's clock; and a
 * detach that leaves nothing behind for a second inspector session to find.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RecordedRequest } from '../../src/core/session';
import { attachToTarget } from '../../src/inspector/attach';
import { startCapture } from '../../src/inspector/capture';
import { listeningPortsOf } from '../../src/inspector/processes';
import { InspectorSession } from '../../src/inspector/session';
import { http, isAlive, startFixture, waitFor, type Fixture } from './helpers';

/** Tolerance between the fixture's own stamps and the converted span times, µs. */
const CLOCK_MARGIN_US = 1000;

/** How much longer than its slice a span may be on a loaded 2-core machine, µs. */
const SCHEDULING_MARGIN_US = 30_000;

async function attachTo(fixture: Fixture): Promise<InspectorSession> {
  const attached = await attachToTarget({ kind: 'pid', pid: fixture.pid });
  assert.ok(attached.ok, JSON.stringify(!attached.ok && attached.error));
  assert.ok(attached.value instanceof InspectorSession);
  return attached.value;
}

describe('agent', () => {
  test('records tracer spans and outbound calls under their request', async t => {
    const fixture = await startFixture('tracedServer.js');
    t.after(() => fixture.stop());
    const session = await attachTo(fixture);
    t.after(() => session.detach());
    const capture = await startCapture(session);

    await Promise.all([
      http(fixture.port, '/work?tag=one&ms=4'),
      http(fixture.port, '/work?tag=two&ms=6'),
      http(fixture.port, '/call?tag=three'),
    ]);
    const file = await capture.stop();
    const truth = JSON.parse((await http(fixture.port, '/truth')).body) as {
      slices: { tag: string; startUs: number; endUs: number }[];
    };

    const requestOf = (tag: string) =>
      file.requests.find(r => new URL(r.url, 'http://x').searchParams.get('tag') === tag);
    const spanTags = ['one', 'two', 'three-inner', 'three-fetched'];
    for (const tag of spanTags) {
      const request = requestOf(tag);
      const slice = truth.slices.find(s => s.tag === tag);
      assert.ok(request && slice, `request and slice of ${tag}`);
      const span = file.spans.find(s => s.source === 'tracer' && s.requestId === request.id);
      assert.ok(span, `the tracer's span of ${tag} is tagged with its request`);
      assert.equal(span.name, 'work');
      assert.match(span.spanId, /^[0-9a-f]{16}$/);
      // The span holds its slice (an offset of the clocks would push one edge out), and is
      // not much longer: only the scheduling of a loaded machine may come in between.
      assert.ok(span.startUs <= slice.startUs + CLOCK_MARGIN_US, `${tag} starts before its slice`);
      assert.ok(span.endUs >= slice.endUs - CLOCK_MARGIN_US, `${tag} ends after its slice`);
      const extraUs = span.endUs - span.startUs - (slice.endUs - slice.startUs);
      assert.ok(extraUs <= SCHEDULING_MARGIN_US, `${tag} span is ${extraUs} µs longer`);
    }

    const caller = requestOf('three') as RecordedRequest;
    const calls = file.spans.filter(s => s.source === 'gapscope' && s.requestId === caller.id);
    assert.deepEqual(calls.map(s => s.name.split(' ')[0]).sort(), ['fetch', 'http']);
    for (const call of calls) {
      assert.equal(call.kind, 2);
      assert.match(call.name, /\/work\?tag=three-/);
      assert.ok(call.startUs >= caller.startUs && call.endUs <= caller.endUs!);
    }
    assert.ok(file.capture.notes.some(note => /OpenTelemetry tracer \(processor\)/.test(note)));
  });

  test('detach leaves no profiler, agent, binding or subscriber behind', async t => {
    const fixture = await startFixture('tracedServer.js');
    t.after(() => fixture.stop());
    const first = await attachTo(fixture);
    const inspectorPort = Number(new URL(first.inspectorUrl).port);
    const capture = await startCapture(first);
    await http(fixture.port, '/call?tag=during');
    await capture.stop();
    await first.detach();
    await waitFor('the inspector to close', async () =>
      (await listeningPortsOf(fixture.pid)).includes(inspectorPort) ? undefined : true,
    );

    const second = await attachTo(fixture);
    t.after(() => second.detach());
    await second.connection.send('Profiler.enable');
    await second.connection.send('Profiler.setSamplingInterval', { interval: 250 });
    const residue = await second.evaluate<Record<string, unknown>>(RESIDUE_PROBE, true);
    assert.deepEqual(residue, {
      agentState: 'undefined',
      bindingGlobal: 'undefined',
      bundleGlobal: 'undefined',
      subscribedChannels: [],
      spanProcessors: 0,
    });
    assert.equal((await http(fixture.port, '/work?tag=after&ms=1')).body, 'worked');
    assert.ok(isAlive(fixture.child));
  });
});

/** Evaluated in the target: what of the agent could still be there. */
const RESIDUE_PROBE = `(() => {
  const dc = require('diagnostics_channel');
  const names = ['http.server.request.start', 'http.server.response.finish',
    'http.client.request.start', 'http.client.response.finish', 'http.client.request.error',
    'undici:request:create', 'undici:request:trailers', 'undici:request:error'];
  const registry = globalThis[Symbol.for('opentelemetry.js.api.1')];
  const provider = registry.trace.getDelegate();
  return {
    agentState: typeof globalThis[Symbol.for('gapscope.agent')],
    bindingGlobal: typeof globalThis.__gapscopeBinding,
    bundleGlobal: typeof globalThis.__gapscopeAgent,
    subscribedChannels: names.filter(name => dc.hasSubscribers(name)),
    spanProcessors: provider._activeSpanProcessor._spanProcessors.length,
  };
})()`;
