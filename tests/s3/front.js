'use strict';
// S3 front for cdcpack's integration tests: an HTTP server on 127.0.0.1 that
// sits before s3rver (s3rver.js) and makes it behave like S3 where the tests
// need it to:
//  - every request's SigV4 Authorization header is recomputed with AWS's
//    reference signer (@smithy/signature-v4) from the request exactly as
//    received, so a client signing bug fails the tests (s3rver checks nothing);
//  - payload hash, Content-Length, clock skew and multipart rules are enforced;
//  - If-None-Match: * on PutObject/CopyObject/CompleteMultipartUpload (s3rver
//    ignores it), switchable off to act like stores without conditional writes;
//  - virtual-hosted requests (bucket.localhost) are rewritten to path style;
//  - faults (503, 500, resets, slow replies, 200 carrying <Error>, ...) are
//    injected by rules set through a control API on a second port.
// Bodies are checked before anything reaches s3rver (it would store a
// truncated upload); they are held in memory up to 64 MiB, on disk above.
// Replies are streamed through. README-style docs: tests/s3/README.md.

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { once } = require('events');
const sigv4 = require('@smithy/signature-v4');
const { Hash } = require('@smithy/hash-node');
const { createCredsHandler } = require('./creds');

const env = process.env;
const REGION = env.S3FRONT_REGION || 'us-east-1';
const UPSTREAM = new URL(env.S3FRONT_UPSTREAM || 'http://127.0.0.1:4568');
const SPOOL = env.S3FRONT_SPOOL || os.tmpdir();
// [{access_key, secret_key, session_token?}]; creds.js adds the temporary
// credentials it hands out, with their expiry (ms)
const ACCOUNTS = new Map(JSON.parse(env.S3FRONT_KEYS || '[]').map(a => [a.access_key, a]));
const BUCKET_OWNER = env.S3FRONT_BUCKET_OWNER || '111122223333';
const MEMORY_BODY_MAX = 64 << 20;
const MAX_PUT = 5 * 1024 ** 3;
const MAX_SKEW_MS = 15 * 60 * 1000;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const Sha256 = Hash.bind(null, 'sha256');
const upstreamAgent = new http.Agent({ keepAlive: true });

const DEFAULT_MODE = { conditional_writes: true, clock_skew_s: 0, min_part_size: 5 << 20, cred_lifetime_s: 3600,
  creds_bad_answer: false };
let mode = { ...DEFAULT_MODE };
let rules = [];
let log = [];
let seq = 0;
const uploads = new Map(); // uploadId -> {bucket, key, initiated, parts: Map(n -> {etag, size})}

class S3Err extends Error {
  constructor(status, code, message, extra = {}, headers = {}) {
    super(message);
    Object.assign(this, { status, code, extra, headers });
  }
}

const xmlEscape = s =>
  String(s).replace(/[&<>]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]);
const xmlFields = obj =>
  Object.entries(obj)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
    .join('');
const errorXml = (code, message, extra, requestId) =>
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  `<Error>${xmlFields({ Code: code, Message: message, ...extra, RequestId: requestId })}</Error>`;
const sleep = ms => new Promise(r => setTimeout(r, ms));
const stripQuotes = s => String(s || '').replace(/&quot;|"/g, '');
// AWS's URI encoding: everything but unreserved characters (and '/' in paths)
const awsEncode = (s, keepSlash) =>
  encodeURIComponent(s)
    .replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(keepSlash ? /%2F/g : /$^/, '/');

// ---- request target -------------------------------------------------------

// Splits the request as sent into bucket/key; virtual-hosted requests
// (Host: BUCKET.localhost) become path style for s3rver.
function parseTarget(req) {
  const host = req.headers.host || '';
  const hostname = host.replace(/:\d+$/, '').toLowerCase();
  const q = req.url.indexOf('?');
  const rawPath = q < 0 ? req.url : req.url.slice(0, q);
  const rawQuery = q < 0 ? '' : req.url.slice(q + 1);
  if (!rawPath.startsWith('/')) throw new S3Err(400, 'InvalidURI', "Couldn't parse the specified URI.");
  const m = /^(.+)\.localhost$/.exec(hostname);
  const vhost = m ? m[1] : null;
  let bucket, rawKey;
  if (vhost) {
    bucket = vhost;
    rawKey = rawPath.slice(1);
  } else {
    const slash = rawPath.indexOf('/', 1);
    bucket = slash < 0 ? rawPath.slice(1) : rawPath.slice(1, slash);
    rawKey = slash < 0 ? '' : rawPath.slice(slash + 1);
  }
  const query = {};
  let key = null;
  try {
    bucket = decodeURIComponent(bucket);
    if (rawKey !== '') key = decodeURIComponent(rawKey);
    for (const part of rawQuery.split('&').filter(Boolean)) {
      const eq = part.indexOf('=');
      const k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      const v = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
      query[k] = k in query ? [].concat(query[k], v) : v;
    }
  } catch {
    throw new S3Err(400, 'InvalidURI', "Couldn't parse the specified URI.");
  }
  if (key !== null && Buffer.byteLength(key) > 1024)
    throw new S3Err(400, 'KeyTooLongError', 'Your key is too long');
  // s3rver gets keys fully encoded: its router would otherwise trip on "//"
  let upstreamPath = bucket ? '/' + encodeURIComponent(bucket) : '/';
  if (key !== null) upstreamPath += '/' + encodeURIComponent(key);
  if (rawQuery) upstreamPath += '?' + rawQuery;
  // what the path-matching fault rules see, whatever the addressing style
  const stylePath = vhost ? '/' + encodeURIComponent(bucket) + rawPath : rawPath;
  const canonicalPath = rawPath.split('/').map(s => {
    try {
      return awsEncode(decodeURIComponent(s));
    } catch {
      return s;
    }
  }).join('/');
  return { host, hostname, rawPath, rawQuery, query, bucket, key, vhost, upstreamPath, stylePath,
    noncanonicalPath: canonicalPath !== rawPath };
}

// ---- SigV4 ----------------------------------------------------------------

function parseAmzDate(s) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s || '');
  return m ? new Date(Date.UTC(m[1], m[2] - 1, m[3], m[4], m[5], m[6])) : null;
}

// Throws S3Err unless the Authorization header is a valid SigV4 signature of
// this request by a known key; sets entry.sig_ok when it got that far.
async function checkAuth(req, t, entry) {
  const h = req.headers;
  const auth = h.authorization;
  if (!auth) {
    if ('X-Amz-Signature' in t.query || 'Signature' in t.query)
      throw new S3Err(403, 'AccessDenied', 'Presigned URLs are not supported by the cdcpack test server');
    throw new S3Err(403, 'AccessDenied', 'Access Denied (request not signed)');
  }
  const sha = h['x-amz-content-sha256'];
  if (sha === undefined)
    throw new S3Err(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  if (sha !== 'UNSIGNED-PAYLOAD' && !/^[0-9a-f]{64}$/.test(sha))
    throw new S3Err(400, 'InvalidArgument',
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a lower-case hex SHA-256 ' +
        '(streaming/chunked payload signing is not supported by the cdcpack test server)',
      { ArgumentName: 'x-amz-content-sha256', ArgumentValue: sha });
  const am = /^AWS4-HMAC-SHA256 (.*)$/.exec(auth);
  if (!am) throw new S3Err(400, 'InvalidArgument', 'Unsupported Authorization Type (only AWS4-HMAC-SHA256)');
  const parts = {};
  for (const p of am[1].split(',')) {
    const eq = p.indexOf('=');
    if (eq > 0) parts[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
  }
  if (!parts.Credential || !parts.SignedHeaders || !parts.Signature)
    throw new S3Err(400, 'AuthorizationHeaderMalformed',
      'The authorization header is malformed; it requires Credential, SignedHeaders and Signature.');
  const cred = parts.Credential.split('/');
  if (cred.length !== 5 || cred[4] !== 'aws4_request')
    throw new S3Err(400, 'AuthorizationHeaderMalformed',
      `The authorization header is malformed; the Credential is mal-formed: ${parts.Credential}`);
  const [accessKey, , region, service] = cred;
  entry.access_key = accessKey;
  const account = ACCOUNTS.get(accessKey);
  if (!account)
    throw new S3Err(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.',
      { AWSAccessKeyId: accessKey });
  if (region !== REGION || service !== 's3')
    throw new S3Err(400, 'AuthorizationHeaderMalformed',
      `The authorization header is malformed; the region/service '${region}/${service}' is wrong; expecting '${REGION}/s3'`,
      { Region: REGION });
  const date = parseAmzDate(h['x-amz-date']);
  if (!date) throw new S3Err(403, 'AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  const now = Date.now() + mode.clock_skew_s * 1000;
  if (Math.abs(now - date) > MAX_SKEW_MS)
    throw new S3Err(403, 'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
      { RequestTime: h['x-amz-date'], ServerTime: new Date(now).toISOString(), MaxAllowedSkewMilliseconds: MAX_SKEW_MS });
  if (account.expires && Date.now() >= account.expires)
    throw new S3Err(400, 'ExpiredToken', 'The provided token has expired.', { 'X-Amz-Expired': accessKey });
  const token = h['x-amz-security-token'];
  if ((account.session_token || token) && token !== account.session_token)
    throw new S3Err(403, 'InvalidToken', 'The provided token is malformed or otherwise invalid.');

  const signed = new Set(parts.SignedHeaders.split(';'));
  const notSigned = Object.keys(h).filter(n => n.startsWith('x-amz-') && !signed.has(n));
  if (!signed.has('host')) notSigned.unshift('host');
  if (notSigned.length)
    throw new S3Err(403, 'AccessDenied', 'There were headers present in the request which were not signed',
      { HeadersNotSigned: notSigned.join(', ') });

  // The reference signer, fed the request as received: raw path (no
  // normalisation, uriEscapePath off as for S3), decoded query (it sorts and
  // encodes), the headers the client says it signed, x-amz-content-sha256 as
  // the payload hash.
  const signer = new sigv4.SignatureV4({
    credentials: { accessKeyId: accessKey, secretAccessKey: account.secret_key, sessionToken: account.session_token },
    region, service, sha256: Sha256, uriEscapePath: false, applyChecksum: false,
  });
  const request = { method: req.method, protocol: 'http:', hostname: t.hostname, path: t.rawPath, query: t.query, headers: h };
  const unsignable = new Set(Object.keys(h).filter(n => !signed.has(n)));
  const opts = { signingDate: date, signingRegion: region, signingService: service, signableHeaders: signed, unsignableHeaders: unsignable };
  const out = await signer.sign(request, opts);
  const want = /Signature=([0-9a-f]+)/.exec(out.headers.authorization)[1];
  entry.sig_ok = want === parts.Signature;
  if (!entry.sig_ok) {
    // What S3 returns too: lets a developer diff against their own signer.
    const prepared = sigv4.prepareRequest(request);
    prepared.headers['x-amz-date'] = h['x-amz-date'];
    if (account.session_token) prepared.headers['x-amz-security-token'] = account.session_token;
    const canonical = signer.createCanonicalRequest(prepared, sigv4.getCanonicalHeaders(prepared, unsignable, signed), sha);
    const scope = cred.slice(1).join('/');
    const sts = await signer.createStringToSign(h['x-amz-date'], scope, canonical, 'AWS4-HMAC-SHA256');
    throw new S3Err(403, 'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { AWSAccessKeyId: accessKey, StringToSign: sts, SignatureProvided: parts.Signature, CanonicalRequest: canonical });
  }
}

// ---- object settings -------------------------------------------------------

// The encryption, storage class, ACL, tag and owner headers: checked as S3
// checks them, recorded in the log entry (object_settings), and not passed to
// s3rver (which stores the data only), but for x-amz-metadata-directive.
const OBJECT_SETTINGS = ['x-amz-server-side-encryption', 'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-server-side-encryption-bucket-key-enabled', 'x-amz-storage-class', 'x-amz-acl', 'x-amz-tagging',
  'x-amz-tagging-directive', 'x-amz-metadata-directive', 'x-amz-expected-bucket-owner',
  'x-amz-source-expected-bucket-owner'];
const STORAGE_CLASSES = ['STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING',
  'GLACIER', 'DEEP_ARCHIVE', 'GLACIER_IR', 'OUTPOSTS', 'SNOW', 'EXPRESS_ONEZONE'];
const CANNED_ACLS = ['private', 'public-read', 'public-read-write', 'aws-exec-read', 'authenticated-read',
  'bucket-owner-read', 'bucket-owner-full-control'];

function checkObjectSettings(req, entry) {
  const h = req.headers;
  const got = {};
  for (const n of OBJECT_SETTINGS) if (n in h) got[n] = h[n];
  entry.object_settings = got;
  const bad = (name, why) => new S3Err(400, 'InvalidArgument', why, { ArgumentName: name, ArgumentValue: h[name] });
  for (const n of ['x-amz-expected-bucket-owner', 'x-amz-source-expected-bucket-owner'])
    if (n in h && h[n] !== BUCKET_OWNER) throw new S3Err(403, 'AccessDenied', 'Access Denied (expected bucket owner)');
  const sse = h['x-amz-server-side-encryption'];
  if (sse !== undefined && !['AES256', 'aws:kms', 'aws:kms:dsse'].includes(sse))
    throw bad('x-amz-server-side-encryption', 'The encryption method specified is not supported');
  for (const n of ['x-amz-server-side-encryption-aws-kms-key-id', 'x-amz-server-side-encryption-bucket-key-enabled'])
    if (n in h && !/^aws:kms/.test(sse || '')) throw bad(n, `${n} applies with aws:kms only`);
  const bk = h['x-amz-server-side-encryption-bucket-key-enabled'];
  if (bk !== undefined && bk !== 'true' && bk !== 'false') throw bad('x-amz-server-side-encryption-bucket-key-enabled', 'true or false');
  if ('x-amz-storage-class' in h && !STORAGE_CLASSES.includes(h['x-amz-storage-class']))
    throw new S3Err(400, 'InvalidStorageClass', 'The storage class you specified is not valid');
  if ('x-amz-acl' in h && !CANNED_ACLS.includes(h['x-amz-acl'])) throw bad('x-amz-acl', 'not a canned ACL');
  for (const n of ['x-amz-tagging-directive', 'x-amz-metadata-directive'])
    if (n in h && !['COPY', 'REPLACE'].includes(h[n])) throw bad(n, 'COPY or REPLACE');
  if ('x-amz-tagging' in h) {
    const tags = [...new URLSearchParams(h['x-amz-tagging'])];
    if (tags.length > 10 || tags.some(([k, v]) => !k || k.length > 128 || v.length > 256))
      throw new S3Err(400, 'InvalidTag', 'The TagValue you have provided is invalid');
    entry.tags = Object.fromEntries(tags);
  }
}

// ---- fault rules ----------------------------------------------------------

const ACTIONS = {
  503: [503, 'SlowDown', 'Please reduce your request rate.'],
  500: [500, 'InternalError', 'We encountered an internal error. Please try again.'],
  502: [502, 'BadGateway', 'Bad Gateway'],
  504: [504, 'GatewayTimeout', 'Gateway Timeout'],
  412: [412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold'],
  error: [500, 'InternalError', 'We encountered an internal error. Please try again.'],
  error200: [200, 'InternalError', 'We encountered an internal error. Please try again.'],
  reset: null,
  slow: null,
  drop: null,
};
const RULE_KEYS = new Set(['method', 'path', 'query', 'copy_source', 'nth', 'count', 'probability', 'seed', 'action',
  'status', 'code', 'message', 'retry_after', 'forward', 'request_bytes', 'response_bytes', 'delay_ms',
  'chunk_bytes', 'chunk_delay_ms', 'comment']);

// mulberry32: a seeded PRNG, so a probability rule fires on the same requests every run
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function compileRules(list) {
  if (!Array.isArray(list)) throw new Error('fault rules must be a JSON array');
  return list.map((r, i) => {
    if (typeof r !== 'object' || r === null) throw new Error(`rule ${i}: not an object`);
    for (const k of Object.keys(r)) if (!RULE_KEYS.has(k)) throw new Error(`rule ${i}: unknown field "${k}"`);
    const action = String(r.action);
    if (!(action in ACTIONS)) throw new Error(`rule ${i}: unknown action "${r.action}" (one of ${Object.keys(ACTIONS).join(', ')})`);
    if (r.request_bytes !== undefined && action !== 'reset') throw new Error(`rule ${i}: request_bytes goes with action "reset"`);
    if (r.path !== undefined) new RegExp(r.path); // a bad regex fails here, at POST /faults
    return {
      ...r,
      action,
      methods: r.method === undefined ? null : [].concat(r.method).map(m => String(m).toUpperCase()),
      re: r.path === undefined ? null : new RegExp(r.path),
      nths: r.nth === undefined ? null : [].concat(r.nth).map(Number),
      random: r.probability === undefined ? null : rng(r.seed ?? 1),
      seen: 0,
      fired: 0,
    };
  });
}

// Every rule counts the requests it matches; the first that fires wins.
function pickFault(req, t) {
  let chosen = null;
  rules.forEach((r, i) => {
    if (r.methods && !r.methods.includes(req.method)) return;
    if (r.re && !r.re.test(t.stylePath)) return;
    if (r.query !== undefined && !t.rawQuery.includes(r.query)) return;
    if (r.copy_source !== undefined && r.copy_source !== ('x-amz-copy-source' in req.headers)) return;
    r.seen++;
    let fire = r.nths ? r.nths.includes(r.seen) : true;
    if (r.random && r.random() >= r.probability) fire = false;
    if (r.count !== undefined && r.fired >= r.count) fire = false;
    if (fire && !chosen) {
      r.fired++;
      chosen = { ...r, index: i };
    }
  });
  return chosen;
}

const faultError = f => {
  const [status, code, message] = ACTIONS[f.action];
  const headers = f.retry_after !== undefined ? { 'Retry-After': String(f.retry_after) } : {};
  const extra = f.action === '412' ? { Condition: 'If-None-Match' } : {};
  return new S3Err(f.status ?? status, f.code ?? code, f.message ?? message, extra, headers);
};

// ---- responses -------------------------------------------------------------

function sendError(req, res, entry, err, { close = false } = {}) {
  entry.code = err.code;
  const body = errorXml(err.code, err.message, err.extra, entry.request_id);
  const headers = { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body),
    'x-amz-request-id': entry.request_id, ...err.headers };
  if (close) headers.Connection = 'close';
  res.writeHead(err.status, headers);
  res.end(body);
}

function resetConnection(res, entry) {
  entry.reset = true;
  const s = res.socket;
  if (s) s.resetAndDestroy ? s.resetAndDestroy() : s.destroy();
}

// A request body the front will not read: with Expect: 100-continue the
// client has not sent it, so close afterwards; otherwise drain it first so the
// client sees the reply rather than a broken pipe.
async function rejectEarly(req, res, entry, err, expectContinue) {
  const hasBody = Number(req.headers['content-length'] || 0) > 0 || 'transfer-encoding' in req.headers;
  if (hasBody && expectContinue) return sendError(req, res, entry, err, { close: true });
  if (hasBody) {
    req.resume();
    await once(req, 'end').catch(() => {});
  }
  sendError(req, res, entry, err);
}

// ---- bodies ---------------------------------------------------------------

// Reads the whole request body, hashing as it goes; in memory up to 64 MiB,
// in a spool file above. resetAfter: destroy the connection after that many bytes.
async function readBody(req, res, entry, resetAfter) {
  const sha = crypto.createHash('sha256');
  const md5 = crypto.createHash('md5');
  const chunks = [];
  let length = 0;
  let file = null;
  let fd = null;
  try {
    for await (const chunk of req) {
      sha.update(chunk);
      md5.update(chunk);
      length += chunk.length;
      if (resetAfter !== undefined && length >= resetAfter) {
        resetConnection(res, entry); // before the loop's exit closes the socket gently
        break;
      }
      if (!fd && length > MEMORY_BODY_MAX) {
        file = path.join(SPOOL, `s3front-${process.pid}-${entry.seq}.body`);
        fd = await fs.promises.open(file, 'w');
        for (const c of chunks.splice(0)) await fd.write(c);
      }
      if (fd) await fd.write(chunk);
      else chunks.push(chunk);
    }
  } catch {
    entry.reset = true; // the client went away
  } finally {
    if (fd) await fd.close();
    entry.body_bytes = length;
  }
  if (entry.reset || resetAfter !== undefined) {
    // a reset rule fires after resetAfter bytes, or at the end of a shorter body
    if (file) fs.promises.unlink(file).catch(() => {});
    if (!res.socket?.destroyed) resetConnection(res, entry);
    entry.reset = true;
    return null;
  }
  return { chunks, file, length, sha256: sha.digest('hex'), md5: md5.digest('base64') };
}

function checkBody(req, body) {
  const want = req.headers['x-amz-content-sha256'];
  if (want !== 'UNSIGNED-PAYLOAD' && want !== body.sha256)
    throw new S3Err(400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.",
      { ClientComputedContentSHA256: want, S3ComputedContentSHA256: body.sha256 });
  const md5 = req.headers['content-md5'];
  if (md5 !== undefined && md5 !== body.md5) {
    if (!/^[A-Za-z0-9+/]{22}==$/.test(md5)) throw new S3Err(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.');
    throw new S3Err(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
}

const bodyText = body => Buffer.concat(body.chunks).toString('utf8');

// ---- upstream (s3rver) ----------------------------------------------------

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'expect',
  'proxy-connection', 'trailer', 'authorization', 'host', 'x-amz-security-token',
  // s3rver stores the data only; it does implement the metadata directive
  ...OBJECT_SETTINGS.filter(n => n !== 'x-amz-metadata-directive')]);

function upstream(method, upstreamPath, headers = {}, body = null) {
  return new Promise((resolve, reject) => {
    const h = { ...headers, host: UPSTREAM.host };
    if (body) h['content-length'] = String(body.length);
    const up = http.request({ host: UPSTREAM.hostname, port: UPSTREAM.port, method, path: upstreamPath, headers: h, agent: upstreamAgent });
    up.on('response', resolve);
    up.on('error', reject);
    if (!body) return up.end();
    if (body.file) return fs.createReadStream(body.file).on('error', reject).pipe(up);
    for (const c of body.chunks) up.write(c);
    up.end();
  });
}

async function readAll(stream) {
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

function forwardHeaders(req, t) {
  const h = {};
  for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k)) h[k] = v;
  // s3rver decodes x-amz-copy-source with decodeURI, which leaves %2B, %2F...
  // as they are: hand it a form that decodeURI turns into the real key.
  const src = h['x-amz-copy-source'];
  if (src !== undefined) {
    const q = src.indexOf('?'); // ?versionId=...
    try {
      h['x-amz-copy-source'] = encodeURI(decodeURIComponent(q < 0 ? src : src.slice(0, q)));
    } catch {
      throw new S3Err(400, 'InvalidArgument', 'Invalid copy source encoding', { ArgumentName: 'x-amz-copy-source' });
    }
  }
  return h;
}

async function keyExists(bucket, key) {
  const r = await upstream('HEAD', '/' + encodeURIComponent(bucket) + '/' + encodeURIComponent(key));
  r.resume();
  return r.statusCode === 200;
}

// One write at a time per key, so that "If-None-Match: *" lets exactly one
// of two racing writers through, as on S3.
const locks = new Map();
async function withKeyLock(k, fn) {
  const prev = locks.get(k) || Promise.resolve();
  let release;
  const mine = new Promise(r => (release = r));
  const tail = prev.then(() => mine);
  locks.set(k, tail);
  await prev;
  try {
    return await fn();
  } finally {
    release();
    if (locks.get(k) === tail) locks.delete(k);
  }
}

// ---- multipart bookkeeping (s3rver checks none of this) -------------------

const noSuchUpload = id =>
  new S3Err(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: id });

function uploadOf(t) {
  const id = String(t.query.uploadId);
  const u = uploads.get(id);
  if (!u || u.bucket !== t.bucket || u.key !== t.key) throw noSuchUpload(id);
  return u;
}

function checkComplete(t, body) {
  const u = uploadOf(t);
  const parts = [...bodyText(body).matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map(m => ({
    n: Number((/<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(m[1]) || [])[1]),
    etag: stripQuotes((/<ETag>([\s\S]*?)<\/ETag>/.exec(m[1]) || [])[1]),
  }));
  if (!parts.length) throw new S3Err(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
  if (parts.some((p, i) => i && p.n <= parts[i - 1].n))
    throw new S3Err(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order of the part number.');
  parts.forEach((p, i) => {
    const have = u.parts.get(p.n);
    if (!have || have.etag !== p.etag)
      throw new S3Err(400, 'InvalidPart', 'One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part\'s entity tag.',
        { UploadId: t.query.uploadId, PartNumber: p.n, ETag: p.etag });
    if (i < parts.length - 1 && have.size < mode.min_part_size)
      throw new S3Err(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.',
        { ProposedSize: have.size, MinSizeAllowed: mode.min_part_size, PartNumber: p.n, ETag: p.etag });
  });
}

// ListMultipartUploads and ListParts, which s3rver lacks, from the bookkeeping
function listUploadsXml(t) {
  const prefix = String(t.query.prefix || '');
  const list = [...uploads.entries()].filter(([, u]) => u.bucket === t.bucket && u.key.startsWith(prefix))
    .sort(([, a], [, b]) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  return '<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    xmlFields({ Bucket: t.bucket, KeyMarker: '', UploadIdMarker: '', Prefix: prefix, MaxUploads: 1000, IsTruncated: 'false' }) +
    list.map(([id, u]) => `<Upload>${xmlFields({ Key: u.key, UploadId: id, Initiated: u.initiated, StorageClass: 'STANDARD' })}</Upload>`).join('') +
    '</ListMultipartUploadsResult>';
}

function listPartsXml(t) {
  const u = uploadOf(t);
  return '<?xml version="1.0" encoding="UTF-8"?>\n<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    xmlFields({ Bucket: t.bucket, Key: t.key, UploadId: t.query.uploadId, PartNumberMarker: 0, MaxParts: 10000, IsTruncated: 'false', StorageClass: 'STANDARD' }) +
    [...u.parts.entries()].sort((a, b) => a[0] - b[0]).map(([n, p]) =>
      `<Part>${xmlFields({ PartNumber: n, LastModified: p.time, ETag: `"${p.etag}"`, Size: p.size })}</Part>`).join('') +
    '</ListPartsResult>';
}

// ---- the request path -----------------------------------------------------

function opOf(req, t) {
  const q = t.query;
  const m = req.method;
  if (t.key === null) return m === 'GET' && 'uploads' in q ? 'ListMultipartUploads' : 'Bucket';
  if (m === 'POST' && 'uploads' in q) return 'CreateMultipartUpload';
  if (m === 'POST' && 'uploadId' in q) return 'CompleteMultipartUpload';
  if (m === 'PUT' && 'uploadId' in q) return 'x-amz-copy-source' in req.headers ? 'UploadPartCopy' : 'UploadPart';
  if (m === 'PUT' && 'x-amz-copy-source' in req.headers) return 'CopyObject';
  if (m === 'PUT') return Object.keys(q).length ? 'PutObjectSubresource' : 'PutObject';
  if (m === 'DELETE' && 'uploadId' in q) return 'AbortMultipartUpload';
  if (m === 'GET' && 'uploadId' in q) return 'ListParts';
  return m;
}

async function handle(req, res, expectContinue) {
  const started = Date.now();
  const entry = {
    seq: ++seq, time: new Date(started).toISOString(), request_id: crypto.randomBytes(8).toString('hex').toUpperCase(),
    method: req.method, url: req.url, host: req.headers.host ?? null, vhost: false, op: null, bucket: null, key: null,
    sig_ok: null, status: null, code: null, fault: null, reset: false,
    headers: Object.keys(req.headers), content_length: req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']),
    body_bytes: 0, noncanonical_path: false, ms: null,
  };
  log.push(entry);
  if (log.length > 100000) log.splice(0, log.length - 100000);
  res.on('close', () => {
    entry.status = res.headersSent ? res.statusCode : 0;
    if (!res.writableFinished) entry.reset = true;
    entry.ms = Date.now() - started;
  });

  let t;
  try {
    t = parseTarget(req);
    Object.assign(entry, { vhost: t.vhost !== null, bucket: t.bucket || null, key: t.key, noncanonical_path: t.noncanonicalPath });
    entry.op = opOf(req, t);
    await checkAuth(req, t, entry);
    checkObjectSettings(req, entry);
    const te = 'transfer-encoding' in req.headers;
    const cl = req.headers['content-length'];
    if ((req.method === 'PUT' || req.method === 'POST') && (te || (req.method === 'PUT' && cl === undefined)))
      throw new S3Err(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
    if (req.method === 'PUT' && Number(cl) > MAX_PUT)
      throw new S3Err(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed object size.');
  } catch (err) {
    if (!(err instanceof S3Err)) throw err;
    return rejectEarly(req, res, entry, err, expectContinue);
  }

  const fault = pickFault(req, t);
  if (fault) entry.fault = { rule: fault.index, action: fault.action };
  // "forward": the request reaches s3rver (the write happens), then the
  // reply is replaced or damaged; otherwise the fault stands in for it.
  if (fault) fault.atReply = fault.forward === true || fault.response_bytes !== undefined || fault.action === 'slow';
  if (fault && !fault.atReply && fault.request_bytes === undefined) {
    if (fault.action === 'reset') return resetConnection(res, entry);
    if (fault.action !== 'slow' && fault.action !== 'drop') return rejectEarly(req, res, entry, faultError(fault), expectContinue);
  }

  if (expectContinue) res.writeContinue();
  const body = await readBody(req, res, entry, fault?.action === 'reset' ? fault.request_bytes : undefined);
  if (!body) return; // reset mid-body
  try {
    checkBody(req, body);
    // "drop": a store that loses the write it acknowledges
    if (fault?.action === 'drop') return reply(res, entry, null, 200, '', { etag: `"${Buffer.from(body.md5, 'base64').toString('hex')}"` });
    await dispatch(req, res, entry, t, body, fault);
  } catch (err) {
    if (!(err instanceof S3Err)) throw err;
    if (!res.headersSent) sendError(req, res, entry, err);
  } finally {
    if (body.file) fs.promises.unlink(body.file).catch(() => {});
  }
}

// Front-side checks and conditional writes, then s3rver.
async function dispatch(req, res, entry, t, body, fault) {
  const op = entry.op;
  if (op === 'ListMultipartUploads') return reply(res, entry, fault, 200, listUploadsXml(t));
  if (op === 'ListParts') return reply(res, entry, fault, 200, listPartsXml(t));
  if (op === 'UploadPart' || op === 'UploadPartCopy') {
    uploadOf(t);
    const n = Number(t.query.partNumber);
    if (!Number.isInteger(n) || n < 1 || n > 10000)
      throw new S3Err(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive',
        { ArgumentName: 'partNumber', ArgumentValue: t.query.partNumber });
  }
  if (op === 'CompleteMultipartUpload') checkComplete(t, body);

  const headers = forwardHeaders(req, t);
  const sendBody = body.length || req.method === 'PUT' || req.method === 'POST' ? body : null;
  const isWrite = op === 'PutObject' || op === 'CopyObject' || op === 'CompleteMultipartUpload';
  if (!isWrite) return relay(req, res, entry, t, fault, await upstream(req.method, t.upstreamPath, headers, sendBody), body);

  const conditional = headers['if-none-match'] === '*';
  return withKeyLock(`${t.bucket}/${t.key}`, async () => {
    if (conditional && mode.conditional_writes === 'not_implemented')
      throw new S3Err(501, 'NotImplemented', 'A header you provided implies functionality that is not implemented', { Header: 'If-None-Match' });
    if (conditional && mode.conditional_writes === true && (await keyExists(t.bucket, t.key)))
      throw new S3Err(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-None-Match' });
    delete headers['if-none-match'];
    // the lock is held until s3rver answered, i.e. the write is done
    const ures = await upstream(req.method, t.upstreamPath, headers, sendBody);
    return relay(req, res, entry, t, fault, ures, body);
  });
}

// Passes s3rver's answer on, updating the multipart bookkeeping and applying
// the fault (if any) to the reply.
async function relay(req, res, entry, t, fault, ures, body) {
  ures.on('error', () => res.destroy()); // s3rver died mid-reply
  const headers = { ...ures.headers };
  for (const k of ['connection', 'keep-alive', 'transfer-encoding']) delete headers[k];
  const op = entry.op;
  const ok = ures.statusCode < 300;
  if (op === 'UploadPart' && ok) {
    uploadOf(t).parts.set(Number(t.query.partNumber), { etag: stripQuotes(headers.etag), size: body.length, time: new Date().toISOString() });
  }
  if (op === 'AbortMultipartUpload' && ok) uploads.delete(String(t.query.uploadId));
  // small XML answers are read whole: errors (for the log) and the
  // multipart answers the bookkeeping needs
  const small = req.method !== 'HEAD' && (ures.statusCode >= 300 || op === 'CreateMultipartUpload' || op === 'CompleteMultipartUpload');
  if (!small) return reply(res, entry, fault, ures.statusCode, ures, headers);
  const buf = await readAll(ures);
  const text = buf.toString('utf8');
  if (!ok) entry.code = (/<Code>([^<]*)<\/Code>/.exec(text) || [])[1] || null;
  if (op === 'CreateMultipartUpload' && ok) {
    const id = (/<UploadId>([^<]*)<\/UploadId>/.exec(text) || [])[1];
    if (id) uploads.set(id, { bucket: t.bucket, key: t.key, initiated: new Date().toISOString(), parts: new Map() });
  }
  if (op === 'CompleteMultipartUpload' && ok && !text.includes('<Error>')) uploads.delete(String(t.query.uploadId));
  return reply(res, entry, fault, ures.statusCode, buf, headers);
}

// Sends a reply (Buffer/string or a stream), unless the fault replaces or
// damages it: error after forwarding, reset after N bytes, slow delivery.
async function reply(res, entry, fault, status, payload, headers = {}) {
  const isStream = typeof payload.pipe === 'function';
  headers = { ...headers, 'x-amz-request-id': entry.request_id };
  if (!isStream) {
    payload = Buffer.from(payload);
    headers['content-length'] = String(payload.length);
    if (!headers['content-type']) headers['content-type'] = 'application/xml';
  }
  const f = fault?.atReply ? fault : null;
  if (f && f.action !== 'slow' && f.action !== 'reset') {
    if (isStream) payload.resume();
    return sendError(null, res, entry, faultError(f));
  }
  if (f && f.action === 'reset' && f.response_bytes === undefined) {
    if (isStream) payload.resume();
    return resetConnection(res, entry);
  }
  if (f?.delay_ms) await sleep(f.delay_ms);
  res.writeHead(status, headers);
  const limit = f?.action === 'reset' ? f.response_bytes : undefined;
  const step = f?.chunk_bytes || Infinity;
  const pause = f?.chunk_delay_ms || 0;
  if (limit === undefined && step === Infinity && !pause) {
    if (isStream) payload.pipe(res);
    else res.end(payload);
    return;
  }
  let sent = 0;
  const source = isStream ? payload : [payload];
  try {
    for await (let chunk of source) {
      while (chunk.length) {
        let n = Math.min(chunk.length, step);
        if (limit !== undefined) n = Math.min(n, limit - sent);
        if (pause && sent > 0) await sleep(pause);
        if (n > 0 && !res.write(chunk.subarray(0, n))) await once(res, 'drain');
        sent += n;
        chunk = chunk.subarray(n);
        if (limit !== undefined && sent >= limit) break;
      }
      if (limit !== undefined && sent >= limit) break;
    }
  } catch {
    return res.destroy();
  }
  if (limit !== undefined) {
    if (isStream) payload.destroy();
    // let the bytes already written leave before the reset
    await new Promise(r => res.write('', r));
    return resetConnection(res, entry);
  }
  res.end();
}

// ---- servers --------------------------------------------------------------

function onRequest(expectContinue) {
  return (req, res) =>
    handle(req, res, expectContinue).catch(err => {
      console.error('s3front: internal error:', err);
      const entry = log[log.length - 1];
      if (!res.headersSent) sendError(req, res, { request_id: '-', ...entry }, new S3Err(500, 'InternalError', String(err.message || err)));
      else res.destroy();
    });
}

const s3 = http.createServer({ requestTimeout: 0 }, onRequest(false));
const creds = createCredsHandler({
  accounts: ACCOUNTS, region: REGION, roleArn: env.S3FRONT_ROLE_ARN, webIdentityToken: env.S3FRONT_WEB_IDENTITY_TOKEN,
  ecsToken: env.S3FRONT_ECS_TOKEN, externalId: env.S3FRONT_EXTERNAL_ID, mode: () => mode,
});
const credsServer = http.createServer(creds.handle);
s3.on('checkContinue', onRequest(true));

function json(res, status, value) {
  const body = JSON.stringify(value, null, 1) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const control = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://control');
  const text = (await readAll(req)).toString('utf8');
  try {
    const arg = text.trim() ? JSON.parse(text) : null;
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /health') {
      const r = await upstream('GET', '/').catch(err => ({ statusCode: String(err.code || err), resume() {} }));
      r.resume();
      return json(res, r.statusCode === 200 ? 200 : 503, { ok: r.statusCode === 200, upstream: r.statusCode });
    }
    if (route === 'POST /faults') {
      rules = compileRules(arg ?? []);
      return json(res, 200, { ok: true, rules: rules.length });
    }
    if (route === 'GET /faults')
      return json(res, 200, rules.map(({ re, methods, nths, random, ...r }) => r));
    if (route === 'POST /reset') {
      rules = [];
      creds.reset();
      log = [];
      mode = { ...DEFAULT_MODE };
      return json(res, 200, { ok: true });
    }
    if (route === 'POST /mode') {
      for (const [k, v] of Object.entries(arg || {})) {
        if (!(k in DEFAULT_MODE)) throw new Error(`unknown mode "${k}" (one of ${Object.keys(DEFAULT_MODE).join(', ')})`);
        if (k === 'conditional_writes' && ![true, false, 'not_implemented'].includes(v))
          throw new Error('conditional_writes: true, false or "not_implemented"');
        if (k === 'creds_bad_answer' && typeof v !== 'boolean') throw new Error(`${k}: true or false`);
        if (k !== 'conditional_writes' && k !== 'creds_bad_answer' && typeof v !== 'number') throw new Error(`${k}: a number`);
        mode[k] = v;
      }
      return json(res, 200, mode);
    }
    if (route === 'GET /mode') return json(res, 200, mode);
    if (route === 'GET /log') {
      const since = Number(url.searchParams.get('since') || 0);
      const lines = log.filter(e => e.seq > since).map(e => JSON.stringify(e)).join('\n');
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
      return res.end(lines ? lines + '\n' : '');
    }
    if (route === 'GET /credlog') {
      const since = Number(url.searchParams.get('since') || 0);
      const lines = creds.log(since).map(e => JSON.stringify(e)).join('\n');
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
      return res.end(lines ? lines + '\n' : '');
    }
    if (route === 'GET /uploads')
      return json(res, 200, [...uploads.entries()].map(([id, u]) => ({ upload_id: id, bucket: u.bucket, key: u.key, parts: u.parts.size })));
    json(res, 404, { error: `no such control endpoint: ${route}` });
  } catch (err) {
    json(res, 400, { error: String(err.message || err) });
  }
});

try {
  rules = compileRules(JSON.parse(env.S3FRONT_FAULTS || '[]'));
  Object.assign(mode, JSON.parse(env.S3FRONT_MODE || '{}'));
} catch (err) {
  console.error(`s3front: S3FRONT_FAULTS/S3FRONT_MODE: ${err.message}`);
  process.exit(2);
}

const listen = (server, port) => new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', () => resolve(server.address().port));
});
Promise.all([listen(s3, Number(env.S3FRONT_PORT || 0)), listen(control, Number(env.S3FRONT_CONTROL_PORT || 0)),
  listen(credsServer, Number(env.S3FRONT_CREDS_PORT || 0))]).then(
  ([port, controlPort, credsPort]) => {
    const file = env.S3FRONT_PORTS_FILE;
    const text = JSON.stringify({ port, control_port: controlPort, creds_port: credsPort });
    if (!file) return console.log(text);
    fs.writeFileSync(file + '.tmp', text);
    fs.renameSync(file + '.tmp', file);
  },
  err => {
    console.error('s3front: cannot listen:', err.message);
    process.exit(1);
  },
);
