'use strict';
// Stand-ins for the AWS credential sources cdcpack's chain reaches over HTTP,
// on one loopback port of the S3 front's process (front.js), so that the
// credentials they hand out open the S3 front and expire there:
//  - STS (POST /): AssumeRole, whose SigV4 signature (service sts) is checked
//    with @smithy/signature-v4 against the known keys, and
//    AssumeRoleWithWebIdentity, unsigned, carrying the web identity token;
//  - the ECS container endpoint (GET /ecs/...): the Authorization header must
//    carry the container token;
//  - EC2 instance metadata, IMDSv2 only (/latest/...): a PUT for a token with
//    the TTL header, then GETs carrying it; a GET without one is refused (401).
// Every credential handed out lives cred_lifetime_s (the front's mode) at
// most, and is logged (GET /credlog on the control port) with its secrets:
// the leak test greps for them.

const crypto = require('crypto');
const sigv4 = require('@smithy/signature-v4');
const { Hash } = require('@smithy/hash-node');

const Sha256 = Hash.bind(null, 'sha256');
const IMDS_ROLE = 'cdcpack-test-instance-role';
const STS_VERSION = '2011-06-15';

const xmlEscape = s => String(s).replace(/[&<>]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]);
const isoSeconds = ms => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

class CredErr extends Error {
  constructor(status, code, message) {
    super(message);
    Object.assign(this, { status, code });
  }
}

// settings: {accounts: Map, region, roleArn, webIdentityToken, ecsToken, externalId, mode(): {...}}
function createCredsHandler(settings) {
  const { accounts, region } = settings;
  const imdsTokens = new Map(); // token -> expiry (ms)
  let credlog = [];
  let seq = 0;

  // New temporary credentials, known to the S3 front until they expire.
  function issue(entry, lifetimeS) {
    const expires = Date.now() + lifetimeS * 1000;
    const account = {
      access_key: 'ASIA' + crypto.randomBytes(8).toString('hex').toUpperCase(),
      secret_key: crypto.randomBytes(30).toString('base64'),
      session_token: 'cdcpack-issued/' + crypto.randomBytes(48).toString('base64'),
      expires,
    };
    accounts.set(account.access_key, account);
    entry.issued = { ...account, expiration: isoSeconds(expires) };
    return account;
  }

  const lifetime = () => settings.mode().cred_lifetime_s;

  // ---- STS ----------------------------------------------------------------

  async function checkStsSignature(req, body, entry) {
    const h = req.headers;
    const am = /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(h.authorization || '');
    if (!am) throw new CredErr(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    const [accessKey, , reg, service, term] = am[1].split('/');
    entry.signed_by = accessKey;
    const account = accounts.get(accessKey);
    if (!account) throw new CredErr(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    if (reg !== region || service !== 'sts' || term !== 'aws4_request')
      throw new CredErr(403, 'SignatureDoesNotMatch', `Credential should be scoped to a valid region/service: ${reg}/${service}`);
    if (account.expires && Date.now() >= account.expires)
      throw new CredErr(403, 'ExpiredToken', 'The security token included in the request is expired');
    if ((account.session_token || h['x-amz-security-token']) && h['x-amz-security-token'] !== account.session_token)
      throw new CredErr(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    const signed = new Set(am[2].split(';'));
    for (const need of ['host', 'x-amz-date', 'content-type'])
      if (!signed.has(need)) throw new CredErr(403, 'SignatureDoesNotMatch', `${need} is not signed`);
    if (h['x-amz-security-token'] && !signed.has('x-amz-security-token'))
      throw new CredErr(403, 'SignatureDoesNotMatch', 'x-amz-security-token is not signed');
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(h['x-amz-date'] || '');
    if (!m) throw new CredErr(403, 'IncompleteSignature', 'x-amz-date is missing or bad');
    const date = new Date(Date.UTC(m[1], m[2] - 1, m[3], m[4], m[5], m[6]));
    const signer = new sigv4.SignatureV4({
      credentials: { accessKeyId: accessKey, secretAccessKey: account.secret_key, sessionToken: account.session_token },
      region, service: 'sts', sha256: Sha256, applyChecksum: false,
    });
    const url = new URL(req.url, 'http://x');
    const request = { method: req.method, protocol: 'http:', hostname: (h.host || '').replace(/:\d+$/, ''),
      path: url.pathname, query: Object.fromEntries(url.searchParams), headers: h, body };
    const unsignable = new Set(Object.keys(h).filter(n => !signed.has(n)));
    const out = await signer.sign(request, { signingDate: date, signableHeaders: signed, unsignableHeaders: unsignable });
    entry.sig_ok = /Signature=([0-9a-f]+)/.exec(out.headers.authorization)[1] === am[3];
    if (!entry.sig_ok)
      throw new CredErr(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
  }

  function stsParams(req, body) {
    if (req.method !== 'POST') throw new CredErr(405, 'InvalidAction', 'STS takes POST here');
    if (!/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] || ''))
      throw new CredErr(400, 'InvalidParameterValue', 'Content-Type must be application/x-www-form-urlencoded');
    const p = Object.fromEntries(new URLSearchParams(body));
    if (p.Version !== STS_VERSION) throw new CredErr(400, 'InvalidParameterValue', `Version must be ${STS_VERSION}`);
    if (p.RoleArn !== settings.roleArn) throw new CredErr(403, 'AccessDenied', `Not authorized to assume ${p.RoleArn}`);
    if (!/^[\w+=,.@-]{2,64}$/.test(p.RoleSessionName || ''))
      throw new CredErr(400, 'ValidationError', 'RoleSessionName must be 2 to 64 of [\\w+=,.@-]');
    if (p.DurationSeconds !== undefined && !(Number(p.DurationSeconds) >= 900 && Number(p.DurationSeconds) <= 43200))
      throw new CredErr(400, 'ValidationError', 'DurationSeconds must be 900 to 43200');
    return p;
  }

  async function sts(req, body, entry) {
    const p = stsParams(req, body);
    entry.action = p.Action;
    Object.assign(entry, { role_arn: p.RoleArn, session_name: p.RoleSessionName, external_id: p.ExternalId ?? null,
      duration_seconds: p.DurationSeconds === undefined ? null : Number(p.DurationSeconds) });
    if (p.Action === 'AssumeRoleWithWebIdentity') {
      if (req.headers.authorization) throw new CredErr(400, 'InvalidParameterValue', 'AssumeRoleWithWebIdentity is not signed');
      entry.web_identity_token_ok = p.WebIdentityToken === settings.webIdentityToken;
      if (!entry.web_identity_token_ok) throw new CredErr(400, 'InvalidIdentityToken', "Couldn't verify the web identity token");
    } else if (p.Action === 'AssumeRole') {
      await checkStsSignature(req, body, entry);
      if (p.ExternalId !== undefined && p.ExternalId !== settings.externalId)
        throw new CredErr(403, 'AccessDenied', 'The external id does not match the role trust policy');
    } else {
      throw new CredErr(400, 'InvalidAction', `Could not find operation ${p.Action}`);
    }
    const life = Math.min(Number(p.DurationSeconds || 3600), lifetime());
    const a = issue(entry, life);
    if (settings.mode().creds_bad_answer) return [200, 'text/xml', `<${p.Action}Response><${p.Action}Result><Credentials><AccessKeyId>${a.access_key}</AccessKeyId>`];
    const xml = `<${p.Action}Response xmlns="https://sts.amazonaws.com/doc/${STS_VERSION}/"><${p.Action}Result><Credentials>` +
      `<AccessKeyId>${a.access_key}</AccessKeyId><SecretAccessKey>${xmlEscape(a.secret_key)}</SecretAccessKey>` +
      `<SessionToken>${xmlEscape(a.session_token)}</SessionToken><Expiration>${isoSeconds(a.expires)}</Expiration>` +
      `</Credentials></${p.Action}Result><ResponseMetadata><RequestId>${entry.seq}</RequestId></ResponseMetadata></${p.Action}Response>`;
    return [200, 'text/xml', xml];
  }

  // ---- ECS and IMDS ---------------------------------------------------------

  const credsJson = (a, extra) => JSON.stringify({ ...extra, AccessKeyId: a.access_key, SecretAccessKey: a.secret_key,
    Token: a.session_token, Expiration: isoSeconds(a.expires) });
  const badJson = a => `{"AccessKeyId": "${a.access_key}", "SecretAccessKey": `;

  function ecs(req, entry) {
    entry.action = 'GetCredentials';
    entry.authorization_ok = req.headers.authorization === settings.ecsToken;
    if (req.method !== 'GET') throw new CredErr(405, 'MethodNotAllowed', 'GET only');
    if (!entry.authorization_ok) throw new CredErr(401, 'Unauthorized', 'the Authorization header is not the container token');
    const a = issue(entry, lifetime());
    return [200, 'application/json', settings.mode().creds_bad_answer ? badJson(a) : credsJson(a, { RoleArn: settings.roleArn })];
  }

  function imds(req, path, entry) {
    if (path === '/latest/api/token') {
      entry.action = 'PutToken';
      const ttl = req.headers['x-aws-ec2-metadata-token-ttl-seconds'];
      entry.ttl = ttl ?? null;
      if (req.method !== 'PUT') throw new CredErr(405, 'MethodNotAllowed', 'PUT only');
      if (!/^\d+$/.test(ttl || '') || Number(ttl) < 1 || Number(ttl) > 21600)
        throw new CredErr(400, 'BadRequest', 'x-aws-ec2-metadata-token-ttl-seconds must be 1 to 21600');
      if ('x-forwarded-for' in req.headers) throw new CredErr(403, 'Forbidden', 'IMDS refuses forwarded requests');
      const token = crypto.randomBytes(32).toString('base64');
      imdsTokens.set(token, Date.now() + Number(ttl) * 1000);
      entry.imds_token = token;
      return [200, 'text/plain', token];
    }
    entry.action = 'Get';
    const token = req.headers['x-aws-ec2-metadata-token'];
    entry.token_ok = !!token && imdsTokens.has(token) && imdsTokens.get(token) > Date.now();
    if (req.method !== 'GET') throw new CredErr(405, 'MethodNotAllowed', 'GET only');
    if (!entry.token_ok) throw new CredErr(401, 'Unauthorized', 'IMDSv2 only: a valid X-aws-ec2-metadata-token is required');
    const base = '/latest/meta-data/iam/security-credentials/';
    if (path === base) return [200, 'text/plain', IMDS_ROLE];
    if (path !== base + IMDS_ROLE) throw new CredErr(404, 'NotFound', 'no such metadata');
    const a = issue(entry, lifetime());
    if (settings.mode().creds_bad_answer) return [200, 'text/plain', badJson(a)];
    return [200, 'text/plain', credsJson(a, { Code: 'Success', LastUpdated: isoSeconds(Date.now()), Type: 'AWS-HMAC' })];
  }

  async function handle(req, res) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url, 'http://x').pathname;
    const service = path.startsWith('/latest/') ? 'imds' : path.startsWith('/ecs/') ? 'ecs' : 'sts';
    const entry = { seq: ++seq, time: new Date().toISOString(), service, method: req.method, path, action: null,
      headers: Object.keys(req.headers), status: null, code: null, issued: null };
    credlog.push(entry);
    let status, type, text;
    try {
      [status, type, text] =
        service === 'imds' ? imds(req, path, entry) : service === 'ecs' ? ecs(req, entry) : await sts(req, body, entry);
    } catch (err) {
      if (!(err instanceof CredErr)) throw err;
      status = err.status;
      entry.code = err.code;
      type = service === 'sts' ? 'text/xml' : 'application/json';
      text = service === 'sts'
        ? `<ErrorResponse><Error><Type>Sender</Type><Code>${err.code}</Code><Message>${xmlEscape(err.message)}</Message></Error></ErrorResponse>`
        : JSON.stringify({ code: err.code, message: err.message });
    }
    entry.status = status;
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  return {
    handle: (req, res) => handle(req, res).catch(err => {
      console.error('s3front creds: internal error:', err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }),
    log: since => credlog.filter(e => e.seq > since),
    reset: () => { credlog = []; },
  };
}

module.exports = { createCredsHandler };
