# `go mod vendor` of the source's go.mod through the Go module proxy, with
# the host's Go. The vendor tree is the same on every system: one hash.
{ fod, src }:
fod {
  name = "example-app-go-modules";
  pin = "server-vendor";
  env = { inherit src; };
  script = ''
    cp -r $src/. source
    chmod -R u+w source
    cd source
    export HOME=$TMPDIR GOPATH=$TMPDIR/go GOCACHE=$TMPDIR/go-cache GOMODCACHE=$TMPDIR/go-mod
    export GOPROXY=https://proxy.golang.org GOSUMDB=off GOTOOLCHAIN=local CGO_ENABLED=0
    export GOFLAGS="-mod=mod -modcacherw"
    go mod vendor
    cp -r vendor $out
  '';
}
