// Generation throughput (issue [7/8]): an eval-only recipe whose one model is an
// OpenAI-compatible chat endpoint, a tiny local server that answers at once, measured at
// concurrency 1, 8 and 32 as requests per second of the generate stage, side by side with the
// server's own ceiling measured in the same run by a plain HTTP loop (keep-alive, 32 in flight).
// Target: ft at concurrency 32 reaches at least 0.8x the ceiling.
import {spawn, spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {FT, median} from './lib.mjs';

const PROMPTS = 5000;
const ROUNDS = 3;

// The server runs in its own process, as a real one would.
const SERVER = `
const http = require('node:http');
const body = JSON.stringify({id: 'x', object: 'chat.completion', created: 0, model: 'm',
  choices: [{index: 0, finish_reason: 'stop', message: {role: 'assistant', content: 'billing'}}],
  usage: {prompt_tokens: 1, completion_tokens: 1, total_tokens: 2}});
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(body)});
    res.end(body);
  });
}).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });
`;

async function startServer() {
  const child = spawn(process.execPath, ['-e', SERVER], {stdio: ['ignore', 'pipe', 'inherit']});
  const port = await new Promise((resolve) =>
    child.stdout.once('data', (d) => resolve(Number(String(d).trim()))),
  );
  return {port, stop: () => child.kill()};
}

/** The server's ceiling: a plain keep-alive HTTP loop, `concurrency` requests in flight. */
async function ceiling(port, requests, concurrency) {
  const agent = new http.Agent({keepAlive: true, maxSockets: concurrency});
  const payload = JSON.stringify({
    model: 'm',
    messages: [{role: 'user', content: 'route this ticket'}],
    max_tokens: 16,
    temperature: 0,
  });
  const one = () =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          port,
          host: '127.0.0.1',
          path: '/v1/chat/completions',
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
        },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({length: concurrency}, async () => {
      while (next++ < requests) await one();
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  return requests / seconds;
}

/** ft's generate stage on a fresh project: requests per second from its stage-end duration. */
function ftRate(port, concurrency) {
  const dir = mkdtempSync(join(tmpdir(), 'ft-bench-gen-'));
  try {
    mkdirSync(join(dir, 'data'));
    writeFileSync(
      join(dir, 'data/tickets.jsonl'),
      Array.from({length: PROMPTS}, (_, i) =>
        JSON.stringify({id: i, text: `ticket ${i}: my order has not arrived`, queue: 'shipping'}),
      ).join('\n'),
    );
    writeFileSync(
      join(dir, 'finetune.yaml'),
      `version: 1
name: bench
sources:
  tickets: { path: data/tickets.jsonl }
transforms:
  - template: { user: "{{text}}", assistant: "{{queue}}" }
  - split: { test: 0.999999, by: id }
eval:
  models: [{ name: server, base_url: "http://127.0.0.1:${port}/v1", model: m }]
  metrics: [exact_match]
  generation: { max_tokens: 16, concurrency: ${concurrency} }
`,
    );
    const r = spawnSync(process.execPath, [FT, 'build', '--json'], {
      cwd: dir,
      encoding: 'utf8',
      env: {...process.env, CI: '1'},
    });
    if (r.status !== 0) throw new Error(`ft build failed:\n${r.stdout}\n${r.stderr}`);
    const end = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .find((e) => e.event === 'stage-end' && e.id === 'generate:server');
    const answered = end.summary.generated;
    return answered / (end.duration_ms / 1000);
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}

const server = await startServer();
try {
  const ceilings = [];
  const rates = {1: [], 8: [], 32: []};
  for (let round = 0; round < ROUNDS; round++) {
    ceilings.push(await ceiling(server.port, PROMPTS, 32));
    for (const c of [1, 8, 32]) rates[c].push(ftRate(server.port, c));
  }
  const top = median(ceilings);
  console.log(`server ceiling (plain HTTP loop, 32 in flight): ${top.toFixed(0)} requests/s`);
  for (const c of [1, 8, 32]) {
    const rate = median(rates[c]);
    console.log(
      `ft generate, concurrency ${c}: ${rate.toFixed(0)} requests/s (${(rate / top).toFixed(2)}x the ceiling)`,
    );
  }
  const ratio = median(rates[32]) / top;
  console.log(
    `target: >= 0.8x the ceiling at concurrency 32: ${ratio >= 0.8 ? 'PASS' : 'FAIL'} (${ratio.toFixed(2)}x)`,
  );
} finally {
  server.stop();
}
