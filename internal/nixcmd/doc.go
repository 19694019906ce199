// Package nixcmd is the one place hashbot starts Nix. It builds the command
// line and environment, runs nix-build, nix-instantiate, nix-store and nix in
// their own process group (cancelling sends SIGTERM, then SIGKILL, to the
// group; Nix's builders run in sessions of their own, and Nix kills them
// when it gets SIGTERM), streams standard error line by line to a
// callback, and turns a failure into a typed error carrying the arguments,
// the exit code and the tail of standard error.
//
// It knows nothing of FODs, pins or hashbot.toml and imports no other hashbot
// package. Callers depend on the Runner interface, so tests of the engine can
// replace Nix with a fake.
package nixcmd
