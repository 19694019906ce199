# The Go server (`./cmd/server` of module goauthentik.io): serves the web UI
# and the REST API, runs the embedded proxy outpost and starts gunicorn for
# the Django backend. Built with CGO disabled; the binary is renamed from
# `server` to `authentik`.
#
# server.goModules is the vendor FOD; its hash is hashes.server-vendor in
# nix/sources.json. It is computed without apiGoVendorHook and without this
# file's postPatch (overrideModAttrs below), so it depends on go.mod and
# go.sum only: not on client-go, authentik-django or webui, whose store paths
# the patches name. The hook then swaps the generated Go client into vendor/.
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
  throw "authentik server: go.mod needs Go >= ${minGo}, but the nixpkgs pinned in nix/sources.json (sources.nixpkgs) has Go ${goVersion}; move the pin to a newer revision"
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

  overrideModAttrs = old: {
    nativeBuildInputs = builtins.filter (p: p != api-go-vendor-hook) (old.nativeBuildInputs or [ ]);
    postPatch = "";
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
