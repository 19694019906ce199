# authentik's Python/Django backend: the python-deps FOD's site-packages,
# made runnable again, plus authentik itself and its in-tree packages.
#
#   - copies python-deps' lib/python3.14/site-packages/ and recreates bin/
#     (python symlinks and the console scripts, gunicorn among them, which
#     the Go server starts by name) and pyvenv.cfg, which the FOD had to drop;
#   - autoPatchelfHook re-links every .so the FOD stripped of its RPATHs:
#     buildInputs lists every library those files need (0 unsatisfied);
#   - installs the four workspace packages from the monorepo source
#     (uv sync ran with --no-install-workspace);
#   - copies authentik, lifecycle, blueprints and manage.py, patches the
#     paths that assume a source checkout, and fixes a migration ordering bug.
# installCheck: `$out/bin/python3.14 -c "import authentik"`, and gunicorn runs.
{
  pkgs,
  src,
  version,
  python-deps,
  webui,
  meta,
}:

let
  python = pkgs.python314;
  sitePackages = python.sitePackages; # lib/python3.14/site-packages

  # Builds and installs the workspace packages (hatchling) offline.
  buildPython = python.withPackages (ps: [
    ps.build
    ps.installer
    ps.hatchling
  ]);

  workspacePackages = [
    "ak-guardian"
    "django-channels-postgres"
    "django-dramatiq-postgres"
    "django-postgres-cache"
  ];
in
pkgs.stdenv.mkDerivation {
  pname = "authentik-django";
  inherit version src;

  nativeBuildInputs = [
    pkgs.autoPatchelfHook
    buildPython
  ];

  # Everything the .so files in site-packages link against.
  buildInputs = [
    python
    pkgs.stdenv.cc.cc.lib # libstdc++, libgcc_s
    pkgs.libxml2
    pkgs.libxslt
    pkgs.xmlsec
    pkgs.libtool.lib # libltdl, for xmlsec's crypto back ends
    pkgs.openssl
    pkgs.libffi
    pkgs.zlib
    pkgs.krb5.lib # gssapi
    pkgs.libpq # psycopg-c
    pkgs.bash # lifecycle/ak's interpreter (patchShebangs)
  ];

  postPatch = ''
    # BASE_DIR is computed from settings.py's location in a checkout.
    substituteInPlace authentik/root/settings.py \
      --replace-fail 'Path(__file__).absolute().parent.parent.parent' "Path(\"$out\")"

    # Built-in blueprints live in the output, not at /blueprints.
    substituteInPlace authentik/lib/default.yml \
      --replace-fail 'blueprints_dir: /blueprints' "blueprints_dir: $out/blueprints"

    # E-mail templates embed the brand icon from the built web UI.
    substituteInPlace authentik/stages/email/utils.py \
      --replace-fail 'Path("web/' 'Path("${webui}/'

    # The file storage backend accepts uploads only when its data directory
    # (or the usage's directory in it) is a mount point, as in upstream's
    # container. A NixOS service keeps it in a plain directory
    # (StateDirectory), so an existing directory is enough; nixpkgs'
    # authentik makes the same change.
    substituteInPlace authentik/admin/files/backends/file.py \
      --replace-fail \
        'and (self._base_dir.is_mount() or (self._base_dir / self.usage.value).is_mount())' ""

    # Migration ordering (upstream #19616): authentik_core 0056_user_roles
    # reads Role.group_id, which authentik_rbac 0010 drops, but nothing
    # orders the two, so a fresh migrate may run 0010 first and fail with
    # "FieldError: Cannot resolve keyword 'group_id'". Make 0010 depend on
    # 0056 explicitly.
    substituteInPlace authentik/rbac/migrations/0010_remove_role_group_alter_role_name.py \
      --replace-fail \
        '("authentik_rbac", "0009_remove_initialpermissions_mode"),' \
        '("authentik_rbac", "0009_remove_initialpermissions_mode"), ("authentik_core", "0056_user_roles"),'
  '';

  buildPhase = ''
    runHook preBuild
    for pkg in ${toString workspacePackages}; do
      ${buildPython}/bin/python -m build --wheel --no-isolation --outdir dist packages/$pkg
    done
    runHook postBuild
  '';

  installPhase = ''
    runHook preInstall

    sp=$out/${sitePackages}
    mkdir -p "$(dirname "$sp")"
    cp -r ${python-deps}/${sitePackages} $sp
    chmod -R u+w $out

    # The four in-tree workspace packages, from this source.
    ${pkgs.bash}/bin/bash ${./install-wheels.sh} ${buildPython}/bin/python $out dist/*.whl

    # The venv the FOD could not keep: python symlinks, pyvenv.cfg and the
    # console scripts of every distribution (installer's own scripts would
    # run buildPython, so bin/ is written afresh).
    rm -rf "''${out:?}/bin"
    mkdir -p $out/bin
    ln -s ${python}/bin/python3.14 $out/bin/python3.14
    ln -s python3.14 $out/bin/python3
    ln -s python3.14 $out/bin/python
    cat > $out/pyvenv.cfg <<EOF
    home = ${python}/bin
    include-system-site-packages = false
    version = ${python.version}
    EOF
    ${pkgs.bash}/bin/bash ${./console-scripts.sh} $sp $out/bin $out/bin/python3.14

    # authentik itself is not a wheel: upstream runs it from the tree.
    cp -r authentik lifecycle $sp/
    cp manage.py $out/
    cp -r blueprints $out/blueprints
    # Django's LOCALE_PATHS is ["./locale"]: relative to the working
    # directory, which the ak wrapper sets to $out. The compiled .mo
    # catalogues are in the source tree.
    cp -r locale $out/locale
    ln -s $sp/authentik $out/authentik
    ln -s $sp/lifecycle $out/lifecycle
    mkdir -p $out/web
    ln -s ${webui}/dist $out/web/dist
    ln -s ${webui}/authentik $out/web/authentik
    ln -s ${webui}/icons $out/web/icons

    runHook postInstall
  '';

  doInstallCheck = true;
  installCheckPhase = ''
    runHook preInstallCheck
    $out/bin/python3.14 -c "import authentik"
    # Every in-tree package was installed (install-wheels.sh): a wheel's
    # dist-info directory is its name with - as _.
    for pkg in ${toString workspacePackages}; do
      ls -d $out/${sitePackages}/''${pkg//-/_}-*.dist-info > /dev/null
    done
    test -d $out/locale/de/LC_MESSAGES
    # The re-linked extensions load (autoPatchelfHook found their libraries).
    $out/bin/python3.14 -c "import lxml.etree, xmlsec, gssapi, psycopg_c"
    # A recreated console script runs in the venv (the Go server starts it).
    $out/bin/gunicorn --version
    runHook postInstallCheck
  '';

  passthru = { inherit python python-deps; };

  meta = meta // {
    description = "authentik's Python/Django backend";
  };
}
