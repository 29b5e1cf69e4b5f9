import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { JsonObjectSplitter } from './json-stream.js';
import { type EngineProgressEvent, followProgress, layerPhase } from './progress.js';

// Recorded from dockerd 20.10 (a push through the token-auth registry) and Podman 4.3.
const DOCKER_PUSH = [
  '{"status":"The push refers to repository [127.0.0.1:45841/scratch/x]"}',
  '{"status":"Preparing","progressDetail":{},"id":"575ba9102bf4"}',
  '{"status":"Pushing","progressDetail":{"current":66048,"total":4194304},"progress":"[>   ]","id":"575ba9102bf4"}',
  '{"status":"Pushed","progressDetail":{},"id":"575ba9102bf4"}',
  '{"status":"1: digest: sha256:73bb395e318fadf9c4925aaf9fdb490e7bbfac8c9ac0b40b8ceda8631fa3c947 size: 527"}',
  '{"progressDetail":{},"aux":{"Tag":"1","Digest":"sha256:73bb395e318fadf9c4925aaf9fdb490e7bbfac8c9ac0b40b8ceda8631fa3c947","Size":527}}',
];
const DENIED =
  '{"errorDetail":{"message":"denied: requested access to the resource is denied"},"error":"denied: requested access to the resource is denied"}';

const stream = (chunks: string[]) => Readable.from(chunks.map((c) => Buffer.from(c)));

describe('followProgress', () => {
  it('types each line and reports the pushed digest', async () => {
    const events: EngineProgressEvent[] = [];
    const summary = await followProgress(stream(DOCKER_PUSH.map((l) => `${l}\r\n`)), {
      operation: 'push',
      subject: 'x:1',
      onProgress: (e) => events.push(e),
    });
    expect(summary.digest).toBe('sha256:73bb395e318fadf9c4925aaf9fdb490e7bbfac8c9ac0b40b8ceda8631fa3c947');
    expect(summary.size).toBe(527);
    expect(events.map((e) => (e.type === 'layer' ? e.phase : e.type))).toEqual([
      'status',
      'preparing',
      'pushing',
      'pushed',
      'status',
      'pushed',
    ]);
    expect(events[2]).toMatchObject({ current: 66048, total: 4194304, id: '575ba9102bf4' });
  });

  it('takes the digest from the status line when the engine sends no aux (Podman)', async () => {
    const summary = await followProgress(
      stream([
        '{"status":"The push refers to repository [r/x:1]"}\n',
        '{"status":"1: digest: sha256:1ec126960f2283784566757897758d72e489d2791e2b4abe9447aebbf418bc22 size: 427"}\n',
      ]),
      { operation: 'push', subject: 'r/x:1' },
    );
    expect(summary.digest).toBe('sha256:1ec126960f2283784566757897758d72e489d2791e2b4abe9447aebbf418bc22');
  });

  it('turns an errorDetail inside a successful response into a typed error, never success', async () => {
    await expect(
      followProgress(stream([`${DOCKER_PUSH[0]}\n${DOCKER_PUSH[1]}\n${DENIED}\n`]), {
        operation: 'push',
        subject: 'x:1',
      }),
    ).rejects.toMatchObject({
      code: 'AR_DOCKER_REGISTRY_DENIED',
      engineMessage: 'denied: requested access to the resource is denied',
    });
    await expect(
      followProgress(
        stream(['{"errorDetail":{"message":"blob upload invalid"},"error":"blob upload invalid"}']),
        {
          operation: 'push',
          subject: 'x:1',
        },
      ),
    ).rejects.toMatchObject({ code: 'AR_DOCKER_PUSH_FAILED' });
    await expect(
      followProgress(
        stream([
          '{"errorDetail":{"message":"reading manifest 1 in r/x: manifest unknown: manifest unknown"}}',
        ]),
        { operation: 'pull', subject: 'r/x:1' },
      ),
    ).rejects.toMatchObject({ code: 'AR_DOCKER_IMAGE_NOT_FOUND' });
  });

  it('reads objects split across chunks, or back to back without newlines', async () => {
    const text = DOCKER_PUSH.join('');
    const chunks = text.match(/[\s\S]{1,7}/g) ?? [];
    const summary = await followProgress(stream(chunks), { operation: 'push', subject: 'x:1' });
    expect(summary.digest).toMatch(/^sha256:73bb/);
    expect(summary.statuses).toHaveLength(2);
  });

  it('collects what a load names', async () => {
    const summary = await followProgress(
      stream(['{"stream":"Loaded image: r/app:1\\n"}', '{"stream":"Loaded image ID: sha256:abc\\n"}']),
      { operation: 'load', subject: 'tar' },
    );
    expect(summary.loaded).toEqual(['r/app:1', 'sha256:abc']);
  });

  it('fails when the stream is cut in the middle of a message (the operation may not have finished)', async () => {
    await expect(
      followProgress(stream(['{"status":"Pushing","id":"a","progressDetail":{"cur']), {
        operation: 'push',
        subject: 'x:1',
      }),
    ).rejects.toMatchObject({ code: 'AR_DOCKER_ENGINE_UNREACHABLE' });
  });

  it('reports an abort as such, closing the stream', async () => {
    const controller = new AbortController();
    const source = new Readable({ read() {} });
    source.push('{"status":"Preparing","id":"a"}\n');
    const done = followProgress(source, {
      operation: 'push',
      subject: 'x:1',
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(done).rejects.toMatchObject({ code: 'AR_DOCKER_ABORTED' });
    expect(source.destroyed).toBe(true);
  });
});

describe('layerPhase', () => {
  it.each([
    ['Layer already exists', 'exists'],
    ['Already exists', 'exists'],
    ['Mounted from e2e/other', 'mounted'],
    ['Pulling fs layer', 'queued'],
    ['Retrying in 5 seconds', 'retrying'],
    ['Something new', 'other'],
  ])('%s → %s', (status, phase) => {
    expect(layerPhase(status)).toBe(phase);
  });
});

describe('JsonObjectSplitter', () => {
  it('ignores braces inside strings', () => {
    const splitter = new JsonObjectSplitter();
    expect(splitter.push('{"a":"}{\\"x"}{"b":1')).toEqual(['{"a":"}{\\"x"}']);
    expect(splitter.pending).toBe('{"b":1');
    expect(splitter.push('}')).toEqual(['{"b":1}']);
    expect(splitter.pending).toBe('');
  });
});

describe('followProgress after an abort', () => {
  it('delivers no further events, even ones already read in the same chunk', async () => {
    const controller = new AbortController();
    const events: EngineProgressEvent[] = [];
    const done = followProgress(stream([`${DOCKER_PUSH.slice(1, 4).join('\n')}\n`]), {
      operation: 'push',
      subject: 'x:1',
      signal: controller.signal,
      onProgress: (e) => {
        events.push(e);
        controller.abort();
      },
    });
    await expect(done).rejects.toMatchObject({ code: 'AR_DOCKER_ABORTED' });
    expect(events).toHaveLength(1);
  });
});
