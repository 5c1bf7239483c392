// Throughput and memory of @ironrun/redactor against baselines, on the same input in the same run.
// Run with `pnpm --filter @ironrun/redactor bench` (builds nothing: run the package build first).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

// REDACTOR_DIST=/path/to/dist/index.js measures another build (an older one, to compare) on the same input.
const { createRedactor } = await import(process.env.REDACTOR_DIST ?? '../dist/index.js');

const require = createRequire(import.meta.url);
const replaceStream = require('replacestream');

const KiB = 1024;
const MiB = 1024 * KiB;
const bigChunk = 64 * KiB;
const bigInputSize = 4 * MiB; // input for the 64 KiB-chunk runs
const smallInputSize = 64 * KiB; // input for the 1-byte-chunk runs
const rssTotal = 1024 * MiB;

// A small seeded generator, so every run measures the same bytes.
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(42);
const pick = (list) => list[Math.floor(rand() * list.length)];
const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const token = (length, alphabet = alnum) =>
  Array.from({ length }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');

/** Secrets shaped like API keys: a prefix and 20–40 random characters, some with symbols. */
function makeSecrets(count) {
  const prefixes = ['sk_live_', 'ghp_', 'xoxb-', 'AKIA', '', 'glpat-', ''];
  return Array.from({ length: count }, () => {
    const body = token(20 + Math.floor(rand() * 21), `${alnum}/+=-_.`);
    return pick(prefixes) + body;
  });
}

/** The same forms the redactor looks for, built independently here with Buffer. */
function variantsOf(secret) {
  const bytes = Buffer.from(secret);
  const forms = new Set([secret]);
  for (const alignment of [0, 1, 2]) {
    const padded = Buffer.concat([Buffer.alloc(alignment), bytes]);
    const first = Math.ceil((alignment * 8) / 6);
    const end = Math.floor(((alignment + bytes.length) * 8) / 6);
    forms.add(padded.toString('base64').slice(first, end));
    forms.add(padded.toString('base64url').slice(first, end));
  }
  forms.add(bytes.toString('hex'));
  forms.add(bytes.toString('hex').toUpperCase());
  forms.add(encodeURIComponent(secret));
  forms.add(encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  forms.add(JSON.stringify(secret).slice(1, -1));
  return [...forms].filter((form) => form.length >= 6);
}

/** Log-like output: words, numbers, hex ids, base64 blobs, with a secret or a form of one every ~8 KiB. */
function makeInput(size, patterns) {
  const words =
    'the of request response user build deploy ok error warn info debug cache miss hit took ms at in for with from to GET POST 200 404 500 /api/v1/items id session trace step done'.split(
      ' ',
    );
  const parts = [];
  let length = 0;
  let nextSecret = 4 * KiB;
  while (length < size) {
    let line = `2025-01-0${1 + Math.floor(rand() * 9)}T12:${String(Math.floor(rand() * 60)).padStart(2, '0')} ${pick(['INFO', 'WARN', 'DEBUG'])} `;
    const n = 6 + Math.floor(rand() * 12);
    for (let i = 0; i < n; i++) {
      const r = rand();
      if (r < 0.75) line += `${pick(words)} `;
      else if (r < 0.85) line += `${Math.floor(rand() * 100000)} `;
      else if (r < 0.93) line += `${token(12, '0123456789abcdef')} `;
      else line += `${token(16)} `;
    }
    if (length >= nextSecret) {
      line += `secret=${pick(patterns)} `;
      nextSecret += 4 * KiB + Math.floor(rand() * 8 * KiB);
    }
    line += '\n';
    parts.push(line);
    length += line.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

/**
 * Output of a tool that dumps encoded data: log lines mixed with base64 blobs wrapped at 76
 * columns (about half the bytes), some holding a secret; or hex dumps as `xxd -p` writes them
 * (60 columns). The worst case for the search across
 * line breaks: every line of a blob is a run of encoded characters that a form could span.
 */
function makeWrappedInput(size, secrets, hex = false) {
  const log = makeInput(size, ['none']);
  const parts = [];
  let length = 0;
  let offset = 0;
  while (length < size) {
    const lines = log.subarray(offset, offset + 4096).toString('latin1');
    offset = (offset + 4096) % (log.length - 4096);
    const blob = Buffer.from(
      Array.from({ length: 3000 }, () => Math.floor(rand() * 256)).concat(
        rand() < 0.3 ? [...Buffer.from(pick(secrets))] : [],
      ),
    ).toString('base64');
    const wrapped = hex
      ? `${Buffer.from(blob, 'base64')
          .toString('hex')
          .replace(/(.{60})/g, '$1\n')}\n`
      : `${blob.replace(/(.{76})/g, '$1\n')}\n`;
    parts.push(lines, wrapped);
    length += lines.length + wrapped.length;
  }
  return Buffer.from(parts.join(''), 'latin1').subarray(0, size);
}

function chunksOf(input, size) {
  return function* () {
    for (let offset = 0; offset < input.length; offset += size)
      yield input.subarray(offset, offset + size);
  };
}

/**
 * One run through a pipeline. Returns its wall time and its CPU time (user and system, all the
 * process's threads, from getrusage): on a shared machine the CPU time leaves out the time the
 * process waited for a core, so it moves far less with the load.
 */
async function runOnce(input, chunkSize, makeTransform) {
  let bytes = 0;
  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  await pipeline(
    Readable.from(chunksOf(input, chunkSize)(), { objectMode: false, highWaterMark: 16 }),
    makeTransform(),
    new Writable({
      write(chunk, _encoding, callback) {
        bytes += chunk.length;
        callback();
      },
    }),
  );
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  if (bytes === 0) throw new Error('no output');
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * Runs the candidates in turn, round after round, and reports each one's median time: the machine
 * may be busy, interleaving spreads the noise evenly, and the median ignores both the stalls and
 * the lucky runs. Fast candidates run up to 40 rounds; one whose runs add up to more than
 * `budgetMs` stops early (slow baselines run once or twice). Also returns, for each candidate,
 * the median over rounds of its speed relative to candidate 0 in the same round: a ratio taken
 * from two runs a few milliseconds apart, so a slow spell of the machine cancels out.
 */
async function compare(input, chunkSize, candidates, budgetMs = 1500) {
  const times = candidates.map(() => []);
  const cpuTimes = candidates.map(() => []);
  const spent = candidates.map(() => 0);
  for (let round = 0; round < 40; round++) {
    for (const [i, make] of candidates.entries()) {
      if (round > 0 && spent[i] > budgetMs) continue;
      const { ms, cpuMs } = await runOnce(input, chunkSize, make);
      times[i].push(ms);
      cpuTimes[i].push(cpuMs);
      spent[i] += ms;
    }
  }
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const speeds = times.map((list) => input.length / (median(list) / 1000) / 1e6);
  const ratios = times.map((list) => median(list.map((ms, round) => times[0][round] / ms)));
  // The same ratio on CPU time (a round whose CPU time reads 0, below getrusage's resolution, is left out).
  const cpuRatios = cpuTimes.map((list) =>
    median(
      list
        .map((ms, round) => cpuTimes[0][round] / ms)
        .filter((ratio) => Number.isFinite(ratio) && ratio > 0),
    ),
  );
  return { speeds, ratios, cpuRatios };
}

const copyThrough = () =>
  new Transform({
    transform(chunk, _encoding, callback) {
      callback(null, Buffer.from(chunk));
    },
  });

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

function naiveReplaceAll(patterns) {
  const sorted = [...patterns].sort((a, b) => b.length - a.length);
  return () => {
    const parts = [];
    return new Transform({
      transform(chunk, _encoding, callback) {
        parts.push(chunk);
        callback();
      },
      flush(callback) {
        let text = Buffer.concat(parts).toString('latin1');
        for (const pattern of sorted) text = text.replaceAll(pattern, '[REDACTED]');
        callback(null, Buffer.from(text, 'latin1'));
      },
    });
  };
}

/**
 * The redactor's speed on `other` relative to `base`, both through `nodeTransform()`, runs of
 * the two interleaved (each first in every other round): the median over rounds of the ratio of
 * the two speeds in each round.
 */
async function relativeSpeed(redactor, base, other, rounds = 30) {
  const ratios = [];
  for (let round = 0; round < rounds; round++) {
    // Each input runs first in every other round, so a slow spell or warm-up favours neither.
    const first = round % 2 === 0 ? base : other;
    const second = first === base ? other : base;
    const firstMs = (await runOnce(first, bigChunk, () => redactor.nodeTransform())).ms;
    const secondMs = (await runOnce(second, bigChunk, () => redactor.nodeTransform())).ms;
    const [baseMs, otherMs] = first === base ? [firstMs, secondMs] : [secondMs, firstMs];
    ratios.push(other.length / otherMs / (base.length / baseMs));
  }
  ratios.sort((a, b) => a - b);
  return ratios[ratios.length >> 1];
}

const fmt = (value) => (value >= 100 ? value.toFixed(0) : value.toPrecision(3)).padStart(7);

/** The CPU time (user and system) of `run()`, in ms, and its wall time. */
function timed(run) {
  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  run();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * The figures `--ab` compares, for one build in one process: the 1,000-secret pipeline case
 * against copy-through (interleaved rounds), then push() alone over 64 KiB chunks.
 */
async function benchPipeline(count) {
  const secrets = makeSecrets(count);
  const patterns = [...new Set(secrets.flatMap(variantsOf))];
  const redactor = createRedactor({ secrets });
  const big = makeInput(bigInputSize, patterns);
  const digest = createHash('sha256').update(redactor.redact(big)).digest('hex').slice(0, 16);
  const fast = await compare(big, bigChunk, [copyThrough, () => redactor.nodeTransform()]);
  const push = [];
  for (let run = 0; run < 40; run++) {
    push.push(
      timed(() => {
        const stream = redactor.createStream();
        for (let offset = 0; offset < big.length; offset += bigChunk)
          stream.push(big.subarray(offset, offset + bigChunk));
        stream.end();
      }),
    );
  }
  const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];
  console.log(
    `RESULT ${JSON.stringify({
      vsCopy: fast.ratios[1],
      vsCopyCpu: fast.cpuRatios[1],
      ours: fast.speeds[1],
      copy: fast.speeds[0],
      pushMs: median(push.map((t) => t.ms)),
      pushCpuMs: median(push.map((t) => t.cpuMs)),
      digest,
      load: loadavg()[0],
    })}`,
  );
}

/**
 * Old build against new, each in its own processes (a same-process A/B favours the build loaded
 * second), alternating which runs first in each pair: `--ab <old dist/index.js> [pairs]`, with
 * glibc trimming off as in the target. Reports each build's ratio to copy-through, and the new
 * build's speed against the old one's in the same pair, on wall and CPU time.
 */
function benchAB(oldDist, pairs) {
  const self = fileURLToPath(import.meta.url);
  const newDist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
  const env = {
    ...process.env,
    MALLOC_TRIM_THRESHOLD_: String(1024 * MiB),
    MALLOC_TOP_PAD_: String(256 * MiB),
    MALLOC_MMAP_THRESHOLD_: String(1024 * MiB),
  };
  const runChild = (dist) => {
    const child = spawnSync(process.execPath, [self, '--pipeline', '1000'], {
      encoding: 'utf8',
      env: { ...env, REDACTOR_DIST: dist },
    });
    if (child.status !== 0) throw new Error(child.stderr);
    const line = child.stdout.split('\n').find((text) => text.startsWith('RESULT '));
    return JSON.parse(line.slice('RESULT '.length));
  };
  const pct = (ratio) => `${(100 * ratio).toFixed(1)} %`;
  const rows = { old: [], new: [] };
  const gains = [];
  for (let pair = 0; pair < pairs; pair++) {
    const order = pair % 2 === 0 ? ['old', 'new'] : ['new', 'old'];
    const result = {};
    for (const which of order) result[which] = runChild(which === 'old' ? oldDist : newDist);
    if (result.old.digest !== result.new.digest)
      throw new Error('the two builds redact differently');
    rows.old.push(result.old);
    rows.new.push(result.new);
    const gain = {
      vsCopy: result.new.vsCopy / result.old.vsCopy,
      vsCopyCpu: result.new.vsCopyCpu / result.old.vsCopyCpu,
      push: result.old.pushMs / result.new.pushMs,
      pushCpu: result.old.pushCpuMs / result.new.pushCpuMs,
    };
    gains.push(gain);
    console.log(
      `  pair ${pair + 1} (${order.join(' first, ')} second), load ${result.old.load.toFixed(1)}/${result.new.load.toFixed(1)}: vs copy-through old ${pct(result.old.vsCopy)} new ${pct(result.new.vsCopy)} (CPU time ${pct(result.old.vsCopyCpu)} / ${pct(result.new.vsCopyCpu)}); push() ${result.old.pushMs.toFixed(2)} / ${result.new.pushMs.toFixed(2)} ms per 4 MiB (CPU ${result.old.pushCpuMs.toFixed(2)} / ${result.new.pushCpuMs.toFixed(2)} ms)`,
    );
  }
  const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];
  const of = (list, key) => median(list.map((row) => row[key]));
  console.log(
    `medians over ${pairs} pairs: vs copy-through old ${pct(of(rows.old, 'vsCopy'))} new ${pct(of(rows.new, 'vsCopy'))} (CPU time ${pct(of(rows.old, 'vsCopyCpu'))} / ${pct(of(rows.new, 'vsCopyCpu'))}); new against old in the same pair: pipeline ${of(gains, 'vsCopy').toFixed(3)}x (CPU ${of(gains, 'vsCopyCpu').toFixed(3)}x), push() ${of(gains, 'push').toFixed(3)}x (CPU ${of(gains, 'pushCpu').toFixed(3)}x)`,
  );
}

async function benchSecretCount(count, onlyFast = false) {
  const secrets = makeSecrets(count);
  const patterns = [...new Set(secrets.flatMap(variantsOf))];
  const maxLength = Math.max(...patterns.map((pattern) => pattern.length));
  const buildStarted = performance.now();
  const redactor = createRedactor({ secrets });
  const buildMs = performance.now() - buildStarted;
  const regex = new RegExp(patterns.map(escapeRegExp).join('|'), 'g');
  const big = makeInput(bigInputSize, patterns);
  const small = big.subarray(0, smallInputSize);

  // Sanity: every embedded form is gone, and streaming equals one-shot.
  const oneShot = Buffer.from(redactor.redact(big));
  const streamed = [];
  await pipeline(
    Readable.from(chunksOf(big, 1000)()),
    redactor.nodeTransform(),
    new Writable({
      write(chunk, _e, cb) {
        streamed.push(chunk);
        cb();
      },
    }),
  );
  if (!oneShot.equals(Buffer.concat(streamed))) throw new Error('streaming differs from one-shot');
  const text = oneShot.toString('latin1');
  for (const pattern of patterns) if (text.includes(pattern)) throw new Error('a pattern survived');

  // The two fast transforms first, interleaved, before the slow baselines fill the heap with
  // garbage that would be collected during their runs.
  const fast = await compare(big, bigChunk, [copyThrough, () => redactor.nodeTransform()]);
  // The matcher alone, without Node stream overhead: push() over 64 KiB chunks.
  const pushTimes = [];
  for (let run = 0; run < 20; run++) {
    const stream = redactor.createStream();
    const started = performance.now();
    for (let offset = 0; offset < big.length; offset += bigChunk)
      stream.push(big.subarray(offset, offset + bigChunk));
    stream.end();
    pushTimes.push(performance.now() - started);
  }
  pushTimes.sort((x, y) => x - y);
  const pushOnly = big.length / (pushTimes[pushTimes.length >> 1] / 1000) / 1e6;
  const wrappedInput = makeWrappedInput(bigInputSize, secrets);
  const hexInput = makeWrappedInput(bigInputSize, secrets, true);
  const wrapped = await compare(wrappedInput, bigChunk, [
    copyThrough,
    () => redactor.nodeTransform(),
  ]);
  const [wrappedCopy, wrappedOurs] = wrapped.speeds;
  const base64VsLog = await relativeSpeed(redactor, big, wrappedInput);
  const hexVsLog = await relativeSpeed(redactor, big, hexInput);
  const digest = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const result = {
    count,
    ours: fast.speeds[1],
    copy: fast.speeds[0],
    vsCopy: fast.ratios[1],
    vsCopyCpu: fast.cpuRatios[1],
    pushOnly,
    base64VsLog,
    hexVsLog,
    // What the redactor made of each input, to check that the engines agree.
    outputs: [big, wrappedInput, hexInput].map((input) => digest(redactor.redact(input))).join(' '),
  };
  if (onlyFast) {
    const [copy, ours] = fast.speeds;
    console.log(
      `  ${count} secrets, 64 KiB chunks: redactor ${fmt(ours)} MB/s, copy-through ${fmt(copy)} MB/s: ${(100 * fast.ratios[1]).toFixed(0)} % (median of per-round ratios; ${((100 * ours) / copy).toFixed(0)} % from the medians; ${(100 * fast.cpuRatios[1]).toFixed(0)} % on CPU time); the matcher alone ${pushOnly.toFixed(0)} MB/s; wrapped base64 ${(100 * base64VsLog).toFixed(0)} % and hex ${(100 * hexVsLog).toFixed(0)} % of its speed on log-like output`,
    );
    console.log(`RESULT ${JSON.stringify(result)}`);
    return;
  }
  const slow = await compare(big, bigChunk, [
    () => replaceStream(regex, '[REDACTED]', { encoding: 'latin1', maxMatchLen: maxLength }),
    naiveReplaceAll(patterns),
  ]);
  const rows = [
    {
      label: '64 KiB chunks',
      input: big.length,
      copy: fast.speeds[0],
      ours: fast.speeds[1],
      pairedRatio: fast.ratios[1],
      replace: slow.speeds[0],
      naive: slow.speeds[1],
    },
  ];
  {
    const { speeds, ratios } = await compare(small, 1, [
      copyThrough,
      () => redactor.nodeTransform(),
      () => replaceStream(regex, '[REDACTED]', { encoding: 'latin1', maxMatchLen: maxLength }),
      naiveReplaceAll(patterns),
    ]);
    const [copy, ours, replace, naive] = speeds;
    rows.push({
      label: '1-byte chunks',
      input: small.length,
      copy,
      ours,
      pairedRatio: ratios[1],
      replace,
      naive,
    });
  }
  console.log(
    `\n${count} secret(s): ${patterns.length} patterns with all variants (longest ${maxLength} B); redactor built in ${buildMs.toFixed(0)} ms`,
  );
  console.log(
    '                 input   redactor  copy-thru replacestream  naive-replaceAll   vs copy  vs replacestream  vs naive',
  );
  for (const row of rows) {
    console.log(
      `  ${row.label}  ${(row.input / KiB).toFixed(0).padStart(5)} KiB ${fmt(row.ours)} MB/s ${fmt(row.copy)} MB/s ${fmt(row.replace)} MB/s ${fmt(row.naive)} MB/s   ${(
        100 * row.pairedRatio
      )
        .toFixed(0)
        .padStart(
          5,
        )} % ${(row.ours / row.replace).toFixed(1).padStart(12)}× ${(row.ours / row.naive).toFixed(1).padStart(9)}×`,
    );
  }
  console.log(
    `  (vs copy: the median over rounds of the ratio between runs of the same round; from the two medians it is ${rows.map((row) => `${((100 * row.ours) / row.copy).toFixed(0)} %`).join(' and ')}; on CPU time, 64 KiB chunks: ${(100 * fast.cpuRatios[1]).toFixed(0)} %)`,
  );
  console.log(
    `  the matcher alone (createStream().push() over 64 KiB chunks, no Node stream): ${pushOnly.toFixed(0)} MB/s`,
  );
  console.log(
    `  output half made of base64 wrapped at 76 columns, 64 KiB chunks: redactor ${fmt(wrappedOurs)} MB/s, copy-through ${fmt(wrappedCopy)} MB/s (${(100 * wrapped.ratios[1]).toFixed(0)} %)`,
  );
  console.log(
    `  the redactor on output half made of wrapped dumps, against its speed on log-like output (interleaved rounds): base64 at 76 columns ${(100 * base64VsLog).toFixed(0)} %, hex at 60 columns (xxd -p) ${(100 * hexVsLog).toFixed(0)} %`,
  );
  result.replace = rows[0].replace;
  console.log(`RESULT ${JSON.stringify(result)}`);
}

/** Streams 1 GiB made on the fly through one transform and reports the process's peak RSS. */
async function rssChild(kind) {
  const secrets = makeSecrets(1000);
  const patterns = [...new Set(secrets.flatMap(variantsOf))];
  const source = makeInput(4 * MiB, patterns);
  const redactor = createRedactor({ secrets });
  const before = process.memoryUsage().rss;
  const started = performance.now();
  function* generate() {
    for (let sent = 0; sent < rssTotal; sent += bigChunk) {
      const offset = (sent + Math.floor(sent / source.length) * 7) % (source.length - bigChunk);
      yield Buffer.from(source.subarray(offset, offset + bigChunk));
    }
  }
  let bytes = 0;
  await pipeline(
    Readable.from(generate(), { objectMode: false }),
    kind === 'redactor' ? redactor.nodeTransform() : copyThrough(),
    new Writable({
      write(chunk, _encoding, callback) {
        bytes += chunk.length;
        callback();
      },
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify({
      rssBeforeMiB: before / MiB,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      seconds,
      bytes,
    }),
  );
}

/**
 * Builds `instances` live redactors for `count` secrets each (distinct secrets, or all for the
 * same ones) and reports the RSS they add, per redactor, and the time to build one. Each has
 * redacted one line, so its state is what a host keeps between uses.
 */
function memoryChild(count, instances, same) {
  const sets = Array.from({ length: instances }, (_, i) =>
    same && i > 0 ? undefined : makeSecrets(count),
  ).map((set, _i, all) => set ?? all[0]);
  globalThis.gc();
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const live = sets.map((secrets) => createRedactor({ secrets }));
  const buildMs = (performance.now() - started) / instances;
  for (const [i, redactor] of live.entries()) {
    if (redactor.redact(`a line with ${sets[i][0]}`) !== 'a line with [REDACTED]') {
      throw new Error('a secret survived');
    }
  }
  globalThis.gc();
  const after = process.memoryUsage().rss;
  console.log(JSON.stringify({ perInstanceKiB: (after - before) / instances / KiB, buildMs }));
  return live;
}

if (process.argv[2] === '--memory') {
  memoryChild(Number(process.argv[3]), Number(process.argv[4]), process.argv[5] === 'same');
} else if (process.argv[2] === '--rss') {
  await rssChild(process.argv[3]);
} else if (process.argv[2] === '--pipeline') {
  await benchPipeline(Number(process.argv[3]));
} else if (process.argv[2] === '--ab') {
  benchAB(process.argv[3], Number(process.argv[4] ?? 6));
} else if (process.argv[2] === '--count') {
  await benchSecretCount(Number(process.argv[3]), process.argv[4] === '--fast');
} else {
  const started = performance.now();
  console.log(
    `@ironrun/redactor bench, Node ${process.version}, ${typeof WebAssembly === 'object' ? 'WebAssembly' : 'TypeScript'} engine. 64 KiB chunks on ${bigInputSize / MiB} MiB of log-like output, 1-byte chunks on its first ${smallInputSize / KiB} KiB.`,
  );
  console.log(
    'Each figure is the median of up to 40 interleaved runs through a Node pipeline (source → transform → counting sink); a baseline slower than the time budget runs once or twice.',
  );
  // Node reads that bundle at every start; no timed run includes a start, but say which it was.
  console.log(
    `NODE_EXTRA_CA_CERTS is ${process.env.NODE_EXTRA_CA_CERTS ? 'set' : 'not set'}; load average at the start ${loadavg()
      .map((load) => load.toFixed(2))
      .join(', ')}.`,
  );
  const self = fileURLToPath(import.meta.url);
  /** Runs a child, prints its lines, returns the figures of its RESULT line. */
  const run = (args, env = {}, indent = '') => {
    const child = spawnSync(process.execPath, [...args], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
    if (child.status !== 0) throw new Error(child.stderr);
    const lines = child.stdout.trimEnd().split('\n');
    const result = lines.find((line) => line.startsWith('RESULT '));
    console.log(
      lines
        .filter((line) => !line.startsWith('RESULT '))
        .map((line) => indent + line)
        .join('\n'),
    );
    return result === undefined ? undefined : JSON.parse(result.slice('RESULT '.length));
  };
  const results = {};
  // Each secret count runs in its own process, so one's garbage does not slow the next.
  for (const count of [1, 100, 1000]) results[count] = run([self, '--count', String(count)]);
  console.log(
    '\n1,000 secrets again, the redactor and copy-through only, in other conditions (separate processes):',
  );
  // glibc gives freed memory back to the system and takes it again, page faults and all, at
  // moments that differ from run to run. Copy-through does little but allocate, so its speed
  // swings with that (2 to 12 GB/s on the machine this was written on), and so does any ratio
  // to it. With trimming off, both run with their memory reused: the steadiest comparison, and
  // the least favourable to the redactor.
  const steady = {
    MALLOC_TRIM_THRESHOLD_: String(1024 * MiB),
    MALLOC_TOP_PAD_: String(256 * MiB),
    MALLOC_MMAP_THRESHOLD_: String(1024 * MiB),
  };
  const other = {};
  for (const [key, label, flags, env] of [
    ['steady', 'WebAssembly engine, glibc trimming off:', [], steady],
    ['ts', 'TypeScript engine (node --no-expose-wasm):', ['--no-expose-wasm'], {}],
    ['tsSteady', 'TypeScript engine, glibc trimming off:', ['--no-expose-wasm'], steady],
  ]) {
    console.log(` ${label}`);
    other[key] = run([...flags, self, '--count', '1000', '--fast'], env);
  }
  const main = results[1000];
  const pct = (ratio) => `${(100 * ratio).toFixed(0)} %`;
  const check = (ok) => (ok ? 'met' : 'NOT met');
  console.log('\nThe targets at 1,000 secrets, 64 KiB chunks, from the runs above:');
  console.log(
    `  vs copy-through, default glibc (same process): ${pct(main.vsCopy)}; with trimming off (both in the trimming-off process): ${pct(other.steady.vsCopy)} (target ≥ 25 %: ${check(other.steady.vsCopy >= 0.25)}; on CPU time ${pct(other.steady.vsCopyCpu)}, default glibc ${pct(main.vsCopyCpu)}); the default-process redactor against the trimming-off copy-through: ${pct(main.ours / other.steady.copy)}`,
  );
  console.log(
    `  vs replacestream: ${(main.ours / main.replace).toFixed(0)}× (target ≥ 2×: ${check(main.ours / main.replace >= 2)})`,
  );
  for (const count of [1, 100, 1000]) {
    const r = results[count];
    console.log(
      `  ${String(count).padStart(4)} secret(s), wrapped dumps against log-like output: base64 ${pct(r.base64VsLog)}, hex ${pct(r.hexVsLog)} (target ≥ 50 %: ${check(Math.min(r.base64VsLog, r.hexVsLog) >= 0.5)})`,
    );
  }
  const agree = [other.steady, other.ts, other.tsSteady].every((r) => r.outputs === main.outputs);
  console.log(
    `  both engines, byte-identical output on the log-like, base64-dump and hex-dump inputs: ${agree ? 'yes' : 'NO'} (sha-256 ${main.outputs})`,
  );
  if (!agree) process.exitCode = 1;
  console.log(
    '\nRSS per live redactor (built, one line redacted, all kept alive; separate processes, after a GC):',
  );
  for (const [count, instances, same, target] of [
    [1, 1000, false, 256],
    [5, 1000, false, 256],
    [10, 1000, false, 256],
    [10, 1000, true, 256],
    [1000, 20, false, 16 * KiB],
  ]) {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', self, '--memory', String(count), String(instances), same ? 'same' : ''],
      { encoding: 'utf8' },
    );
    if (child.status !== 0) throw new Error(child.stderr);
    const result = JSON.parse(child.stdout);
    const size =
      result.perInstanceKiB >= KiB
        ? `${(result.perInstanceKiB / KiB).toFixed(1)} MiB`
        : `${result.perInstanceKiB.toFixed(0)} KiB`;
    console.log(
      `  ${String(count).padStart(4)} secret(s), ${instances} ${same ? 'redactors for the same secrets' : 'redactors, each its own secrets'}: ${size.padStart(9)} each (target ≤ ${target >= KiB ? `${target / KiB} MiB` : `${target} KiB`}: ${result.perInstanceKiB <= target ? 'met' : 'NOT met'}), built in ${result.buildMs.toFixed(1)} ms each`,
    );
  }
  console.log(
    '\nPeak RSS streaming 1 GiB (64 KiB chunks, generated on the fly), 1,000 secrets, separate processes:',
  );
  for (const kind of ['copy-through', 'redactor']) {
    const child = spawnSync(process.execPath, [self, '--rss', kind], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(child.stderr);
    const result = JSON.parse(child.stdout);
    console.log(
      `  ${kind.padEnd(13)} peak RSS ${result.peakRssMiB.toFixed(0)} MiB (RSS ${result.rssBeforeMiB.toFixed(0)} MiB before streaming), ${(result.bytes / result.seconds / 1e6).toFixed(0)} MB/s`,
    );
  }
  console.log(
    `\nbench took ${((performance.now() - started) / 1000).toFixed(0)} s; load average at the end ${loadavg()
      .map((load) => load.toFixed(2))
      .join(', ')}`,
  );
}
