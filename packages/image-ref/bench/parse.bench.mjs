// Throughput on a mixed corpus and worst-case time on adversarial input, against the built dist
// (run `npm run build` first; turbo's bench task does). Prints tables, asserts nothing.
import {
  classifyRegistryHost,
  tryCompleteArImage,
  tryParseArReference,
  tryParseDockerRef,
  tryParseNormalizedNamed,
  tryParseReference,
} from '../dist/index.js';

const SHA256 = `sha256:${'0123456789abcdef'.repeat(4)}`;
const DEFAULTS = { location: 'us-west1', project: 'my-project', repository: 'my-repo' };

/** Valid Docker references of the usual shapes. */
const DOCKER = [
  'ubuntu',
  'ubuntu:24.04',
  'library/nginx:1.27-alpine',
  'bitnami/postgresql:16.3.0-debian-12-r0',
  'docker.io/library/busybox:latest',
  `busybox@${SHA256}`,
  `gcr.io/distroless/static:nonroot@${SHA256}`,
  'ghcr.io/owner/project/tool:v1.2.3',
  'localhost:5000/dev/app:snapshot',
  '[::1]:5000/app',
  'registry.example.com:8443/team/service/api:2024.06.01',
];

/** Valid Artifact Registry references of every shape. */
const ARTIFACT_REGISTRY = [
  'us-west1-docker.pkg.dev/my-project/my-repo/app:1.0.0',
  `us-docker.pkg.dev/my-project/containers/team/api@${SHA256}`,
  'europe-west4-docker.pkg.dev/example.com/my-project/repo/img:latest',
  'docker.us-east4.rep.pkg.dev/my-project/repo/img',
  'asia-docker.pkg.dev/my-project/repo',
  'gcr.io/my-project/app:1',
  'us-west-1-docker.pkg.dev/my-project/my-repo/app',
];

/** Short references completed from defaults. */
const SHORT = ['app', 'app:1.0', 'team/app:2', `team/svc/api@${SHA256}`];

/** Mistakes people make; the "mixed" corpora add these to the valid ones. */
const INVALID = [
  'Ubuntu:latest',
  'ubuntu:-bad',
  'repo@sha256:abc',
  'docker///docker',
  'https://github.com/docker/docker',
  ' ubuntu ',
  'us-west1-docker.pkg.dev/My-Project/repo/app',
  'us-west1-docker.pkg.dev/my-project/repo',
];

const ADVERSARIAL = [
  ['separator run', `a${'-'.repeat(1_000)}a`],
  ['separator run, bad end', `a${'-'.repeat(1_021)}_`],
  ['alternating separators', `a${'._'.repeat(510)}a`],
  ['many components', `${'a/'.repeat(511)}a`],
  ['empty components', `a${'/'.repeat(1_022)}`],
  ['colon run', `a${':'.repeat(1_022)}`],
  ['bracket host', `[${':'.repeat(1_000)}]:5000/a`],
  ['unclosed bracket', `[${'a'.repeat(1_020)}/a`],
  ['digest hex run', `a@sha256:${'f'.repeat(1_012)}`],
  ['digest algorithm run', `a@${'a+'.repeat(505)}:ff`],
  ['tag at limit + 1', `a:${'t'.repeat(129)}`],
  ['1 MB of "a"', 'a'.repeat(1 << 20)],
  ['1 MB of "-"', '-'.repeat(1 << 20)],
  ['1 MB of "/"', '/'.repeat(1 << 20)],
  ['1 MB of unicode', '🐳'.repeat(1 << 19)],
  ['1 MB, control chars', '\u0000\u001b'.repeat(1 << 19)],
];

const PARSERS = [
  ['parseReference', tryParseReference, DOCKER],
  ['parseNormalizedNamed', tryParseNormalizedNamed, DOCKER],
  ['parseDockerRef', tryParseDockerRef, DOCKER],
  ['parseArReference', tryParseArReference, ARTIFACT_REGISTRY],
  ['completeArImage', (input) => tryCompleteArImage(input, DEFAULTS), SHORT],
  [
    'classifyRegistryHost',
    classifyRegistryHost,
    ['us-west1-docker.pkg.dev', 'gcr.io', 'docker.io', 'ghcr.io:443'],
  ],
];

function throughput(parse, corpus, budgetMs) {
  for (let i = 0; i < 5_000; i++) parse(corpus[i % corpus.length]);
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < budgetMs) {
    for (const input of corpus) parse(input);
    count += corpus.length;
    elapsed = performance.now() - start;
  }
  return Math.round((count / elapsed) * 1_000).toLocaleString('en-US');
}

/** Per-call times of `parse` on `input`, after a warm-up. */
function timings(parse, input, calls) {
  for (let i = 0; i < 100; i++) parse(input);
  const times = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    parse(input);
    times.push(performance.now() - start);
  }
  return times;
}

const micro = (ms) => `${(ms * 1_000).toFixed(1)} µs`;

console.log(
  `Throughput: each parser on valid input of its kind, then "mixed" with ${INVALID.length} invalid ones added\n`,
);
console.table(
  Object.fromEntries(
    PARSERS.map(([name, parse, valid]) => [
      name,
      {
        'valid, parses/s': throughput(parse, valid, 400),
        'mixed, parses/s': throughput(parse, [...valid, ...INVALID], 400),
      },
    ]),
  ),
);

console.log('\nAdversarial input, 1,000 calls of every parser: median, 99th percentile and worst call\n');
const rows = {};
let overallWorst = 0;
for (const [label, input] of ADVERSARIAL) {
  const times = PARSERS.flatMap(([, parse]) => timings(parse, input, 1_000)).sort((a, b) => a - b);
  const worst = times.at(-1);
  overallWorst = Math.max(overallWorst, worst);
  rows[label] = {
    length: input.length.toLocaleString('en-US'),
    median: micro(times[Math.floor(times.length / 2)]),
    p99: micro(times[Math.floor(times.length * 0.99)]),
    worst: micro(worst),
  };
}
console.table(rows);
console.log(`\nWorst single call on adversarial input: ${micro(overallWorst)} (includes any GC pause)`);
