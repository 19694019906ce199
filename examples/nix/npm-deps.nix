# `npm ci` of the source's web/ with the host's npm, one hash per system:
# npm resolves optional dependencies per CPU, so the tree (here: the system
# stamp standing in for them) differs between systems.
{ fod, src, system }:
fod {
  name = "example-webui-deps";
  pin = "webui-deps";
  env = { inherit src; };
  script = ''
    cp -r $src/web/. web
    chmod -R u+w web
    cd web
    export HOME=$TMPDIR npm_config_cache=$TMPDIR/npm-cache
    npm ci --ignore-scripts --no-audit --no-fund --no-update-notifier --loglevel=error
    rm -f node_modules/.package-lock.json
    mkdir $out
    cp -r node_modules $out/
    echo ${system} > $out/system
  '';
}
