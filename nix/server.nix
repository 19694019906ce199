# The Go server (`./cmd/server` of module goauthentik.io): serves the web UI
# and the REST API, runs the embedded proxy outpost and starts gunicorn for
# the Django backend. Built with CGO disabled; the binary is renamed from
# `server` to `authentik`.
#
# server.goModules is the vendor FOD; its hash is hashes.server-vendor in
# nix/sources.json. It is computed without apiGoVendorHook and without this
# file's postPatch (overrideModAttrs below), so it depends on go.mod, go.sum
# (and, from 2026.5, the files of packages/client-go) only: not on client-go,
# authentik-django or webui, whose store paths the patches name. The hook
# then swaps the generated Go client into vendor/.
{
  pkgs,
  src,
  version,
  vendorHash,
  authentik-django,
  webui,
  api-go-vendor-hook,
  meta,
}:

let
  # go.mod's `go` line (authentik 2026.2: go 1.25.5). buildGoModule sets
  # GOTOOLCHAIN=local, so an older Go fails with "go.mod requires go >=
  # 1.25.5 (running go 1.25.4; GOTOOLCHAIN=local)" deep in the vendor FOD;
  # say it here instead.
  minGo = "1.25.5";
  goVersion = pkgs.go.version;
in
if builtins.compareVersions goVersion minGo < 0 then
  throw "authentik server: go.mod needs Go >= ${minGo}, but the nixpkgs flake.lock pins has Go ${goVersion}; move it to a newer revision (nix flake update nixpkgs)"
else
pkgs.buildGoModule {
  pname = "authentik-server";
  inherit version src vendorHash;

  subPackages = [ "cmd/server" ];

  nativeBuildInputs = [ api-go-vendor-hook ];

  env.CGO_ENABLED = 0;

  ldflags = [
    "-s"
    "-w"
  ];

  # The server finds the lifecycle scripts and the web assets relative to
  # its working directory in a checkout; point it at the store.
  postPatch = ''
    substituteInPlace internal/gounicorn/gounicorn.go \
      --replace-fail './lifecycle' '${authentik-django}/lifecycle'
    substituteInPlace web/static.go \
      --replace-fail './web' '${webui}'
    substituteInPlace internal/web/static.go \
      --replace-fail './web' '${webui}'
  '';

  # From authentik 2026.5 the Go API client lives in the monorepo: go.mod
  # replaces goauthentik.io/api/v3 with ./packages/client-go, whose Go code
  # is generated (client-go.nix) and not in the source (authentik-nix's
  # 2026.5 update stopped adding its own replace and fills that directory
  # instead). `go mod vendor` needs the replaced module to be a package, so
  # the vendor FOD gives it a stub (a go.mod and one file of package api)
  # where the source has none; apiGoVendorHook swaps the generated client
  # in, as it does for the published client-go of 2026.2. The stub is this
  # file's, so the hash depends on go.mod, go.sum and the files of
  # packages/client-go only, never on the generator.
  overrideModAttrs = old: {
    nativeBuildInputs = builtins.filter (p: p != api-go-vendor-hook) (old.nativeBuildInputs or [ ]);
    postPatch = ''
      # sed, not grep: the builder runs with pipefail, and a go.mod without
      # the replace (2026.2) is no error.
      clientDir=$(sed -n 's#.*goauthentik\.io/api/v3 => \(\./[^[:space:]]*\).*#\1#p' go.mod | head -n 1)
      if [ -n "$clientDir" ]; then
        mkdir -p "$clientDir"
        if [ ! -f "$clientDir/go.mod" ]; then
          printf 'module goauthentik.io/api/v3\n\ngo 1.18\n' >"$clientDir/go.mod"
        fi
        if ! ls "$clientDir"/*.go >/dev/null 2>&1; then
          printf '// A stand-in for the generated client (nix/server.nix).\npackage api\n' >"$clientDir/stub.go"
        fi
        echo "authentik server vendor: $clientDir (go.mod's replace of goauthentik.io/api/v3) vendored as a stub; apiGoVendorHook puts the generated client there"
      fi
    '';
  };

  postInstall = ''
    mv $out/bin/server $out/bin/authentik
  '';

  doInstallCheck = true;
  installCheckPhase = ''
    runHook preInstallCheck
    $out/bin/authentik --help > /dev/null
    runHook postInstallCheck
  '';

  meta = meta // {
    description = "authentik's Go server";
    mainProgram = "authentik";
  };
}
