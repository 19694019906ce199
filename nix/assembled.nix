# The parts put together: `ak`, upstream's lifecycle entry point, wrapped so
# that `ak server` finds the Go server and `ak worker`, `ak migrate`, … find
# the Python backend, with the working directory at the backend's root (where
# manage.py, blueprints/ and web/ are). bin/authentik is the server itself.
#
# authentik 2026.5 runs its worker as the Rust binary (`authentik worker`,
# worker.nix), which embeds Python through pyo3 and runs authentik's Django
# code: bin/authentik-worker is that binary with `worker` as its first
# argument, the backend's python on PATH, its site-packages (authentik itself
# among them) on PYTHONPATH, and the same working directory and
# environment as `ak`. The Rust binary is named `authentik` like the Go
# server, so it is not put on `ak`'s PATH.
#
# TMPDIR defaults to /dev/shm: lifecycle/ak writes $TMPDIR/authentik-mode,
# which is /authentik-mode (and `ak server` aborts) under systemd, which
# sets no TMPDIR; nixpkgs' authentik sets the same directory.
{
  pkgs,
  src,
  version,
  authentik-django,
  server,
  webui,
  worker,
  meta,
}:

let
  # authentik and lifecycle are in the backend's site-packages.
  pythonPath = "${authentik-django}/${authentik-django.python.sitePackages}";
in

pkgs.stdenvNoCC.mkDerivation {
  pname = "authentik";
  inherit version src;

  nativeBuildInputs = [ pkgs.makeWrapper ];
  buildInputs = [ pkgs.bash ];

  dontConfigure = true;
  dontBuild = true;

  installPhase = ''
    runHook preInstall

    mkdir -p $out/bin
    install -m 0755 lifecycle/ak $out/bin/ak
    patchShebangs $out/bin/ak
    wrapProgram $out/bin/ak \
      --prefix PATH : ${
        pkgs.lib.makeBinPath [
          authentik-django
          server
        ]
      } \
      --set VIRTUAL_ENV ${authentik-django} \
      --set-default TMPDIR /dev/shm \
      --set PYTHONDONTWRITEBYTECODE 1 \
      --set PYTHONUNBUFFERED 1 \
      --chdir ${authentik-django}
    ln -s ${server}/bin/authentik $out/bin/authentik
    makeWrapper ${worker}/bin/authentik $out/bin/authentik-worker \
      --add-flags worker \
      --prefix PATH : ${pkgs.lib.makeBinPath [ authentik-django ]} \
      --set VIRTUAL_ENV ${authentik-django} \
      --prefix PYTHONPATH : ${pythonPath} \
      --set-default TMPDIR /dev/shm \
      --set PYTHONDONTWRITEBYTECODE 1 \
      --set PYTHONUNBUFFERED 1 \
      --chdir ${authentik-django}

    runHook postInstall
  '';

  passthru = {
    inherit
      authentik-django
      server
      webui
      worker
      ;
  };

  meta = meta // {
    mainProgram = "ak";
  };
}
