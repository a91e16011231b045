"""The S3 target of the torture harness (--target s3): the case publishes to
the test S3 server (s3rver behind the SigV4-checking front, tests/s3) under
a prefix of its own, apply reads the chain back from there, and the chain
check reads it back independently of cdcpack, with Debian's AWS CLI (as
tests/lib/s3.sh does), into a local mirror the file checks then read.

Op class `s3fault`: for one run, the front fails a random share of the
case's requests (5xx, a connection reset before or after the request was
carried out, a slow reply). README: such a run ends 0 or 3 (exit 3 names
the target); the next run, faults off, must finish the job, each change
once (the chain check sees a gap, a batch twice or a temp object left)."""

import json
import os
import subprocess
import urllib.request

ENV_NEEDED = ("CDCPACK_TEST_S3_ENDPOINT", "CDCPACK_TEST_S3_CONTROL", "CDCPACK_TEST_S3_BUCKET",
              "CDCPACK_TEST_S3_REGION", "CDCPACK_TEST_S3_ACCESS_KEY",
              "CDCPACK_TEST_S3_SECRET_KEY")


def missing_env():
    return [v for v in ENV_NEEDED if v not in os.environ]


class S3Target:
    def __init__(self, prefix, mirror):
        e = os.environ
        self.endpoint = e["CDCPACK_TEST_S3_ENDPOINT"]
        self.control = e["CDCPACK_TEST_S3_CONTROL"]
        self.bucket = e["CDCPACK_TEST_S3_BUCKET"]
        self.region = e["CDCPACK_TEST_S3_REGION"]
        self.prefix = prefix
        self.mirror = mirror  # the local copy check_chain reads

    def config(self, max_retries=None):
        """[target]; s3fault cases may lower max_retries so that faults
        outlast a run's retries (exit 3) rather than only slow it."""
        retries = "" if max_retries is None else "max_retries = %d\n" % max_retries
        return "[target]\nurl = s3://%s/%s\nendpoint = %s\nregion = %s\n%s" % (
            self.bucket, self.prefix, self.endpoint, self.region, retries)

    def client_env(self):
        """cdcpack's credential chain pointed at the test keys only."""
        e = os.environ
        return {"AWS_ACCESS_KEY_ID": e["CDCPACK_TEST_S3_ACCESS_KEY"],
                "AWS_SECRET_ACCESS_KEY": e["CDCPACK_TEST_S3_SECRET_KEY"],
                "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_CONFIG_FILE": "/nonexistent",
                "AWS_SESSION_TOKEN": "", "AWS_PROFILE": ""}

    def aws(self, *args):
        """/usr/bin/aws with the test keys and nothing of the user's ~/.aws."""
        e = {k: v for k, v in os.environ.items()
             if k not in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                          "AWS_CA_BUNDLE", "AWS_ENDPOINT_URL")}
        e.update({"AWS_ACCESS_KEY_ID": os.environ["CDCPACK_TEST_S3_ACCESS_KEY"],
                  "AWS_SECRET_ACCESS_KEY": os.environ["CDCPACK_TEST_S3_SECRET_KEY"],
                  "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                  "AWS_DEFAULT_REGION": self.region, "AWS_EC2_METADATA_DISABLED": "true",
                  "AWS_PAGER": "", "AWS_CLI_AUTO_PROMPT": "off"})
        cmd = ["/usr/bin/aws", "--endpoint-url", self.endpoint, "--region", self.region,
               "--no-cli-pager"] + list(args)
        p = subprocess.run(cmd, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=300)
        if p.returncode:
            raise RuntimeError("aws %s exited %d: %s" % (" ".join(args), p.returncode,
                                                         p.stderr.decode(errors="replace")))
        return p.stdout.decode(errors="replace")

    def sync_mirror(self):
        """The case's objects, as S3 lists them, mirrored to self.mirror
        (objects gone from S3 go from the mirror too)."""
        os.makedirs(self.mirror, exist_ok=True)
        self.aws("s3", "sync", "--delete", "--only-show-errors",
                 "s3://%s/%s/" % (self.bucket, self.prefix), self.mirror + "/")

    def remove(self, mirror_path):
        """Deletes the object a mirror file stands for (the chain self-check)."""
        key = os.path.relpath(mirror_path, self.mirror)
        self.aws("s3", "rm", "--only-show-errors", "s3://%s/%s/%s" % (self.bucket, self.prefix,
                                                                     key))

    def control_call(self, path, body):
        req = urllib.request.Request(self.control + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"},
                                     method="POST")
        with urllib.request.urlopen(req, timeout=10) as f:
            return f.read()

    def random_faults(self, r):
        """Rules that fail a share of this case's requests (other prefixes,
        another case's, are left alone), from the case's random.Random.
        Never `drop` (a store that loses an acknowledged write is outside
        S3's contract) nor `412` (the answer to a key that exists)."""
        path = "^/%s/%s/" % (self.bucket, self.prefix)
        rules = []
        for _ in range(r.randint(1, 3)):
            action = r.choice(["500", "503", "502", "504", "reset", "reset-after", "slow"])
            rule = {"path": path, "probability": r.choice([0.1, 0.3, 0.6, 1.0]),
                    "seed": r.randint(1, 10**6)}
            if r.random() < 0.5:
                rule["method"] = r.choice(["PUT", "POST", "GET", "HEAD", "DELETE"])
            if action == "reset-after":  # carried out, but the client cannot know
                rule.update(action="reset", forward=True)
            elif action == "slow":
                rule.update(action="slow", delay_ms=r.randint(50, 1500), chunk_bytes=4096,
                            chunk_delay_ms=r.randint(0, 20))
            else:
                rule["action"] = action
            if r.random() < 0.5:
                rule["count"] = r.randint(1, 6)
            rules.append(rule)
        self.control_call("/faults", rules)
        return rules

    def faults_off(self):
        self.control_call("/faults", [])
