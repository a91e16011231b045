#!/usr/bin/env bash
# A source or target URL of a scheme cdcpack does not speak (or the right
# scheme with nothing after it), and an endpoint that is not http(s), are
# exit 2 naming file:line, the key and the URL.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/core.sh"
source "$ROOT/tests/lib/hostile.sh"

{ printf '[source]\nurl = postgres://cdc@db/shop\n'; good_config | sed -n '5,9p'; } >"$T/bad.conf"
config_refused "$T/bad.conf" "bad.conf:2: url: 'postgres://cdc@db/shop' is not a supported URL" 'want sqlite:PATH'
for url in 'gs://bucket' 'https://bucket.s3.amazonaws.com' 'file:' 's3://' 'bucket' 'sqlite:x.db'; do
	good_config | sed "s|^url = file:.*|url = $url|" >"$T/bad.conf"
	echo "case: target url $url"
	config_refused "$T/bad.conf" "bad.conf:9: url: '$url' is not a supported URL" 'file:DIR or s3://BUCKET'
done
for url in 'sqlite:' 'mysql://' 'mysql:/x/db' 'file:bucket' 'SQLITE:x.db'; do
	good_config | sed "s|^url = sqlite:.*|url = $url|" >"$T/bad.conf"
	echo "case: source url $url"
	config_refused "$T/bad.conf" "bad.conf:2: url: '$url' is not a supported URL" 'want sqlite:PATH'
done
refused_line 'endpoint = ftp://127.0.0.1' "endpoint: 'ftp://127.0.0.1' must start with http:// or https://" 'http'
