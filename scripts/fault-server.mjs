#!/usr/bin/env node
// A fault-injecting OpenAI-compatible Chat Completions server for fielding tests (Node, no deps).
//
//   node scripts/fault-server.mjs --port 18100 [--faults 0.2] [--rate-429 R] [--rate-500 R]
//        [--rate-slow R] [--slow-ms MS] [--rate-malformed R] [--rate-truncated R]
//        [--retry-after S] [--seed N] [--utilities JSON] [--require-key KEY] [--answer-delay-ms MS]
//        [--html-replies] [--answer-from-persona FIELD] [--long-replies CHARS]
//
// The respondent: for a conjoint task (profiles rendered as "Profile X" followed by "- attribute:
// level" lines) it picks profile 1 of 2 with probability 0.5 + U(1) - U(2) (a linear probability
// model, clamped to [0, 1]), where U is the sum of the --utilities of the profile's levels; under
// a fully randomised design the AMCE of each level is then exactly its utility. For survey items
// ("A. text" lines) it picks an option uniformly. Draws are a hash of the request body, so a retry
// gets the same answer. With `logprobs`, the first-token distribution over the labels is returned.
//
// Faults (--faults F spreads F evenly over the five kinds): 429 with Retry-After, 500, slow replies
// (--slow-ms), malformed JSON, and bodies cut off mid-way. GET /stats reports per-item counts
// (item = SHA-256 of the request body): attempts, answered (a complete valid reply written to an
// open connection: what a provider bills) and faults. POST /reset clears them.
//
// --answer-from-persona FIELD makes survey answers deterministic and persona-dependent (for twin
// tests): when the prompt holds the persona field FIELD with a whole number N (as a summary
// "FIELD: N", a transcript "Q: FIELD / A: N" or JSON "FIELD":"N"), the answer is the N-th option as
// shown; otherwise the uniform draw above.
//
// Survey questions with several parts (multiple choice, ranking, matrix battery, sliders,
// constant sum) are answered in the format their prompt asks for; see severalParts.
//
// --html-replies puts an `<img onerror>` tag before every answer, as a hostile or confused model
// might: the page must show it as text and never run it.
//
// --long-replies CHARS makes every reply a ramble of about CHARS characters, as a small model
// without a token limit writes: half of them (by the request's hash) start with the answer's
// label ("B. …", which parses), the others never name an option (unparsed, with a reason that
// quotes the ramble). Words are ordinary, plus one unbroken 61-letter run, for the page's layout.
import http from 'node:http';
import crypto from 'node:crypto';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => {
    if (a.startsWith('--')) pairs.push([a.slice(2), all[i + 1]?.startsWith('--') ? 'true' : all[i + 1] ?? 'true']);
    return pairs;
  }, []),
);
const num = (name, dflt) => (args[name] !== undefined ? Number(args[name]) : dflt);
const port = num('port', 18100);
const even = num('faults', 0) / 5;
const rates = {
  r429: num('rate-429', even),
  r500: num('rate-500', even),
  slow: num('rate-slow', even),
  malformed: num('rate-malformed', even),
  truncated: num('rate-truncated', even),
};
const slowMs = num('slow-ms', 300);
const retryAfter = num('retry-after', 1);
const answerDelay = num('answer-delay-ms', 0);
const requireKey = args['require-key'];
const utilities = args.utilities ? JSON.parse(args.utilities) : {};
const htmlReplies = args['html-replies'] === 'true';
const personaField = args['answer-from-persona'];
const longReplies = num('long-replies', 0);
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const personaPattern = personaField
  ? new RegExp(`${escapeRegExp(personaField)}(?:"\\s*:\\s*"|:\\s*|\\nA:\\s*)(\\d+)`)
  : null;
const HOSTILE = '<img src=x onerror="document.title=\'pwned\'">';

// xorshift32 for fault draws; seeded so a run's fault pattern is reproducible for a given order.
let state = (num('seed', 1) >>> 0) || 1;
function random() {
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state / 4294967296;
}

const items = new Map();
const totals = { requests: 0, answered: 0, faults: {}, aborted: 0 };
function item(id) {
  if (!items.has(id)) items.set(id, { attempts: 0, answered: 0, faults: 0 });
  return items.get(id);
}

function uniformFromHash(text, salt) {
  const h = crypto.createHash('sha256').update(salt).update(text).digest();
  return h.readUInt32LE(0) / 4294967296;
}

function parseProfiles(prompt) {
  const profiles = [];
  let current = null;
  for (const raw of prompt.split('\n')) {
    const line = raw.trim();
    const head = /^Profile (\S+)$/.exec(line);
    if (head) { current = { label: head[1], levels: {} }; profiles.push(current); continue; }
    const attr = /^- (.+?): (.*)$/.exec(line);
    if (attr && current) current.levels[attr[1]] = attr[2];
    else if (line === '') current = current && Object.keys(current.levels).length ? null : current;
  }
  return profiles;
}

function parseOptions(prompt) {
  const out = [];
  for (const raw of prompt.split('\n')) {
    const m = /^([A-Z]|[0-9]+)\. (.+)$/.exec(raw.trim());
    if (m) out.push({ label: m[1], text: m[2] });
  }
  return out;
}

function utility(profile) {
  let u = 0;
  for (const [attr, level] of Object.entries(profile.levels)) u += utilities[attr]?.[level] ?? 0;
  return u;
}

// Answers with several parts, in the format each prompt asks for (silico's field/survey_plan.rs):
// a multiple choice picks 1-2 options (an exclusive one alone), a ranking orders the labels, a
// matrix battery, several sliders and a constant sum give one line per item, one slider a
// number in its range. Each draw is a hash of the request, like the single answers.
function severalParts(prompt, raw) {
  const draw = (salt) => uniformFromHash(raw, salt);
  const options = parseOptions(prompt);
  const labels = options.map((o) => o.label);
  const range = /number from (-?[\d.]+) to (-?[\d.]+)/.exec(prompt);
  if (/Select all that apply/.test(prompt) && labels.length) {
    const exclusive = (/; (.+?) cannot be combined/.exec(prompt)?.[1] ?? '').split(', ');
    const free = labels.filter((l) => !exclusive.includes(l));
    if (free.length === 0 || draw('exclusive') < 0.1) return exclusive[0] || labels[0];
    const first = free[Math.floor(draw('multi-1') * free.length)];
    const second = free[Math.floor(draw('multi-2') * free.length)];
    return first === second ? first : `${first}, ${second}`;
  }
  if (/^Rank /m.test(prompt) && labels.length) {
    const top = /Rank your top (\d+)/.exec(prompt);
    const order = [...labels].sort((a, b) => draw('rank' + a) - draw('rank' + b));
    return order.slice(0, top ? Number(top[1]) : order.length).join(', ');
  }
  const scale = /Scale:\n([\s\S]*?)\n\nItems:\n([\s\S]*?)\n\n/.exec(prompt);
  if (scale) {
    const points = parseOptions(scale[1]).map((o) => o.label);
    return parseOptions(scale[2]).map((it) => `${it.label}: ${points[Math.floor(draw('rate' + it.label) * points.length)]}`).join('\n');
  }
  const total = /Allocate ([\d.]+) points/.exec(prompt);
  if (total && labels.length) {
    const weights = labels.map((l) => draw('alloc' + l));
    const sum = weights.reduce((a, b) => a + b, 0);
    const points = weights.map((w) => Math.floor((w / sum) * Number(total[1])));
    points[0] += Number(total[1]) - points.reduce((a, b) => a + b, 0);
    return labels.map((l, i) => `${l}: ${points[i]}`).join('\n');
  }
  if (range) {
    const [lo, hi] = [Number(range[1]), Number(range[2])];
    const value = (salt) => Math.round(lo + draw(salt) * (hi - lo));
    if (/one line per item/.test(prompt)) return labels.map((l) => `${l}: ${value('slide' + l)}`).join('\n');
    return String(value('slider'));
  }
  return null;
}

function respond(body, raw) {
  const users = (body.messages || []).filter((m) => m.role === 'user').map((m) => m.content);
  const user = users.join('\n');
  const parts = severalParts(users[users.length - 1] ?? '', raw);
  if (parts !== null) return { text: parts, top: null };
  const profiles = parseProfiles(user);
  let labels, probs;
  if (profiles.length >= 2) {
    labels = profiles.map((p) => p.label);
    if (profiles.length === 2) {
      const p1 = Math.min(1, Math.max(0, 0.5 + utility(profiles[0]) - utility(profiles[1])));
      probs = [p1, 1 - p1];
    } else {
      const e = profiles.map((p) => Math.exp(4 * utility(p)));
      const s = e.reduce((a, b) => a + b, 0);
      probs = e.map((x) => x / s);
    }
  } else {
    // The question asked now (with memory, earlier turns come first).
    const options = parseOptions(users[users.length - 1] ?? '');
    if (options.length === 0) return { text: '42', top: null };
    labels = options.map((o) => o.label);
    probs = options.map(() => 1 / options.length);
    const told = personaPattern?.exec(user);
    const n = told ? Number(told[1]) : 0;
    if (n >= 1 && n <= options.length) return { text: labels[n - 1], top: labels.map((l, i) => ({ token: l, logprob: i === n - 1 ? 0 : -30 })) };
  }
  const u = uniformFromHash(raw, 'answer');
  let acc = 0, pick = labels.length - 1;
  for (let i = 0; i < probs.length; i++) { acc += probs[i]; if (u < acc) { pick = i; break; } }
  const top = labels.map((l, i) => ({ token: l, logprob: Math.log(Math.max(probs[i], 1e-12)) }));
  return { text: labels[pick], top };
}

const RAMBLE = ('Well, thinking about this question carefully, there are several things to weigh here, ' +
  'and it is not easy to say which matters more to a person like me in the end. ' +
  'ProfiledAbroadPositiveApproceAbroadProxReunitedFamilyEmployer ' +
  'On the one hand the first description sounds reasonable; on the other hand the second one has its own merits, ' +
  'so perhaps the honest answer is that it depends on circumstances that are not described at all. ').repeat(20);

/** About `chars` characters of ramble, cut at a word; with `label` first when the hash says so. */
function ramble(label, raw, chars) {
  const lead = uniformFromHash(raw, 'ramble') < 0.5 ? `${label}. ` : '';
  const cut = RAMBLE.slice(0, Math.max(0, chars - lead.length));
  return lead + cut.slice(0, cut.lastIndexOf(' ') > 0 ? cut.lastIndexOf(' ') : cut.length).trim();
}

function completion(body, raw) {
  const { text: label, top } = respond(body, raw);
  const text = longReplies > 0 ? ramble(label, raw, longReplies) : label;
  const content = htmlReplies ? `${HOSTILE} ${text}` : text;
  const choice = { index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' };
  if (body.logprobs && top) {
    const n = Math.max(1, Math.min(Number(body.top_logprobs || 1), 20));
    const first = top.find((t) => t.token === label) || top[0];
    choice.logprobs = { content: [{ token: label, logprob: first.logprob, top_logprobs: top.slice(0, n) }] };
  }
  return {
    id: 'chatcmpl-' + crypto.createHash('sha1').update(raw).digest('hex').slice(0, 12),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model || 'fault-server',
    choices: [choice],
    usage: { prompt_tokens: Math.ceil(raw.length / 4), completion_tokens: 1, total_tokens: Math.ceil(raw.length / 4) + 1 },
  };
}

const cors = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type, x-api-key, anthropic-version, anthropic-dangerous-direct-browser-access',
  'access-control-expose-headers': 'retry-after',
};

function send(res, status, obj, extra = {}) {
  const text = typeof obj === 'string' ? obj : JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...cors, ...extra });
  res.end(text);
}

const server = http.createServer((req, res) => {
  if (req.method === 'OPTIONS') { res.writeHead(204, cors); res.end(); return; }
  if (req.method === 'GET' && req.url.startsWith('/v1/models')) {
    send(res, 200, { object: 'list', data: [{ id: 'fault-server', object: 'model' }] });
    return;
  }
  if (req.method === 'GET' && req.url.startsWith('/stats')) {
    const list = [...items.entries()].map(([id, v]) => ({ id, ...v }));
    send(res, 200, { totals, items: list });
    return;
  }
  if (req.method === 'POST' && req.url.startsWith('/reset')) {
    items.clear();
    Object.assign(totals, { requests: 0, answered: 0, faults: {}, aborted: 0 });
    send(res, 200, { ok: true });
    return;
  }
  if (req.method !== 'POST' || !req.url.endsWith('/chat/completions')) {
    send(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    let body;
    try { body = JSON.parse(raw); } catch { send(res, 400, { error: { message: 'request is not JSON' } }); return; }
    if (requireKey !== undefined && req.headers.authorization !== `Bearer ${requireKey}`) {
      // Real providers echo (part of) a wrong key; echo all of it so tests can prove it is redacted.
      send(res, 401, { error: { message: `Incorrect API key provided: ${(req.headers.authorization || '').replace('Bearer ', '')}` } });
      return;
    }
    const id = crypto.createHash('sha256').update(raw).digest('hex');
    const it = item(id);
    it.attempts++;
    totals.requests++;
    let closed = false;
    res.on('close', () => { closed = true; });
    const fault = (kind) => { it.faults++; totals.faults[kind] = (totals.faults[kind] || 0) + 1; };
    const answer = () => {
      if (closed || res.socket?.destroyed) { totals.aborted++; return; }
      it.answered++;
      totals.answered++;
      send(res, 200, completion(body, raw));
    };
    let u = random();
    if ((u -= rates.r429) < 0) { fault('429'); send(res, 429, { error: { message: 'Rate limit reached', type: 'requests' } }, { 'retry-after': String(retryAfter) }); return; }
    if ((u -= rates.r500) < 0) { fault('500'); send(res, 500, { error: { message: 'The server had an error while processing your request.' } }); return; }
    if ((u -= rates.malformed) < 0) { fault('malformed'); send(res, 200, '{"id": "x", "choices": [{"message": {"content": "A"'); return; }
    if ((u -= rates.truncated) < 0) {
      fault('truncated');
      const text = JSON.stringify(completion(body, raw));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...cors });
      res.write(text.slice(0, Math.floor(text.length / 2)));
      setTimeout(() => res.socket?.destroy(), 5);
      return;
    }
    if ((u -= rates.slow) < 0) { fault('slow'); setTimeout(answer, slowMs); return; }
    if (answerDelay > 0) setTimeout(answer, answerDelay); else answer();
  });
});
server.keepAliveTimeout = 30000;
// --port 0 takes a free port; the line below says which.
server.listen(port, '127.0.0.1', () => console.log(`fault-server listening on http://127.0.0.1:${server.address().port}/v1`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => { server.close(); process.exit(0); });
