'use strict';
// The storage behind front.js: s3rver on 127.0.0.1, with fixes for what real
// S3 does and s3rver 3.7.1 does not. front.js checks signatures and faults;
// this process only stores objects and is never reached by clients directly.
//
// Environment: S3RVER_DIR (data directory), S3RVER_BUCKETS (comma-separated
// buckets to create), S3RVER_PORT_FILE (the chosen port is written there).

const crypto = require('crypto');
const fs = require('fs');
const fse = require('fs-extra');
const path = require('path');
const S3rver = require('s3rver');
const FilesystemStore = require('s3rver/lib/stores/filesystem');
const S3Object = require('s3rver/lib/models/object');
const S3Error = require('s3rver/lib/models/error');

const OBJECT_SUFFIX = '._S3rver_object';
const UPLOADS_DIR = '._S3rver_uploads';

// A key "a/b" is stored as the file DIR/bucket/a/b._S3rver_object, so its
// directory segments go through path.join: "", "." and ".." would collapse or
// climb out of the bucket ("x/../y" would overwrite "y"). Such segments, and
// those already ending in "~" (to stay reversible), get a "~" appended.
// Appending keeps every encoded name starting with its raw name.
const escapeSeg = s => (s === '' || s === '.' || s === '..' || s.endsWith('~') ? s + '~' : s);
const unescapeSeg = s => (s.endsWith('~') ? s.slice(0, -1) : s);
FilesystemStore.encodeKeyPath = key => {
  const parts = key.split('/');
  const last = parts.pop();
  return [...parts.map(escapeSeg), last].join('/');
};
FilesystemStore.decodeKeyPath = p => {
  const parts = p.split('/');
  const last = parts.pop();
  return [...parts.map(unescapeSeg), last].join('/');
};

// s3rver encrypts ListObjectsV2 continuation tokens with single DES, which
// OpenSSL 3 keeps in its legacy provider only: every truncated listing failed
// with 500. Triple DES with the key repeated is the same cipher, and is there.
for (const fn of ['createCipheriv', 'createDecipheriv']) {
  const orig = crypto[fn];
  crypto[fn] = (alg, key, ...rest) =>
    alg === 'des' ? orig('des-ede3-cbc', Buffer.concat([key, key, key]), ...rest) : orig(alg, key, ...rest);
}

// S3 lists keys in UTF-8 byte order; s3rver lists in directory-walk order,
// which breaks pagination ("a/b" came before "a-c").
const byteCmp = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));

FilesystemStore.prototype.listObjects = async function listObjects(bucket, options) {
  const { delimiter = '', startAfter = '', prefix = '', maxKeys = Infinity } = options;
  const keys = [];
  const walk = (dir, rawDir) => {
    for (const name of fs.readdirSync(dir)) {
      const full = path.join(dir, name);
      if (fs.statSync(full).isDirectory()) {
        if (rawDir === '' && name === UPLOADS_DIR) continue;
        const raw = rawDir + unescapeSeg(name) + '/';
        if (raw.startsWith(prefix) || prefix.startsWith(raw)) walk(full, raw);
      } else if (name.endsWith(OBJECT_SUFFIX)) {
        const key = rawDir + name.slice(0, -OBJECT_SUFFIX.length);
        if (key.startsWith(prefix)) keys.push(key);
      }
    }
  };
  walk(this.getBucketPath(bucket), '');
  keys.sort(byteCmp);

  const objects = [];
  let prefixes = new Set();
  let isTruncated = false;
  for (const key of keys) {
    if (startAfter && byteCmp(key, startAfter) <= 0) continue;
    const i = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (i !== -1) {
      prefixes.add(key.slice(0, i + delimiter.length));
      continue;
    }
    if (objects.length >= maxKeys) {
      isTruncated = true;
      break;
    }
    objects.push(key);
  }
  // The next page starts after the last object (s3rver's continuation token),
  // so prefixes past it belong to that page.
  prefixes = [...prefixes].sort(byteCmp);
  if (isTruncated && objects.length) {
    const last = objects[objects.length - 1];
    prefixes = prefixes.filter(p => byteCmp(p, last) < 0);
  }
  const found = await Promise.all(
    objects.map(key =>
      this.getMetadata(bucket, key).then(
        md => new S3Object(bucket, key, null, md),
        err => {
          if (err.code === 'ENOENT') return null; // deleted meanwhile
          throw err;
        },
      ),
    ),
  );
  return { objects: found.filter(Boolean), commonPrefixes: prefixes, isTruncated };
};

// s3rver's own cleanup walks the raw key path, so "x/../y" could remove the
// bucket directory itself. Remove the files, then empty encoded directories.
FilesystemStore.prototype.deleteObject = async function deleteObject(bucket, key) {
  for (const res of ['object', 'object.md5', 'metadata.json', 'tagging.xml']) {
    await fs.promises.unlink(this.getResourcePath(bucket, key, res)).catch(err => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
  const root = this.getBucketPath(bucket);
  let dir = path.dirname(this.getResourcePath(bucket, key, 'object'));
  while (dir.startsWith(root + path.sep)) {
    try {
      fs.rmdirSync(dir);
    } catch {
      break; // not empty
    }
    dir = path.dirname(dir);
  }
};

const buckets = (process.env.S3RVER_BUCKETS || '').split(',').filter(Boolean);
const app = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: process.env.S3RVER_DIR,
  vhostBuckets: false, // front.js turns virtual-hosted requests into path style
  configureBuckets: buckets.map(name => ({ name })),
});

// AbortMultipartUpload: s3rver answers 405 to DELETE ?uploadId.
app.middleware.unshift(async (ctx, next) => {
  if (ctx.method !== 'DELETE' || !('uploadId' in ctx.query)) return next();
  const bucket = decodeURIComponent(ctx.path.split('/')[1] || '');
  const id = String(ctx.query.uploadId);
  const dir = path.join(app.store.getResourcePath(bucket, undefined, 'uploads'), id);
  if (!/^[0-9a-f]{32}$/.test(id) || !fs.existsSync(dir)) {
    throw new S3Error(
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      { UploadId: id },
    );
  }
  await fse.remove(dir);
  ctx.status = 204;
});

app.run().then(
  ({ port }) => {
    const file = process.env.S3RVER_PORT_FILE;
    fs.writeFileSync(file + '.tmp', String(port));
    fs.renameSync(file + '.tmp', file);
  },
  err => {
    console.error('s3rver: cannot start:', err);
    process.exit(1);
  },
);
