package fod

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/nixcmd"
	"github.com/hashbot-nix/hashbot/internal/pins"
)

// PrefetchArchive asks Nix for the hash of the archive at url once
// unpacked, as builtins.fetchTarball and nixpkgs' fetchzip check it
// (`nix-prefetch-url --unpack`): a source's pin moves with it. The hash is
// Nix's own computation; it is returned in SRI form.
func (e *Engine) PrefetchArchive(ctx context.Context, url string) (string, error) {
	out, err := e.opts.Nix.Run(ctx, nixcmd.Command{
		Name: "nix-prefetch-url", Args: []string{"--unpack", "--type", "sha256", url},
	})
	if err != nil {
		return "", fmt.Errorf("asking Nix for the hash of %s: %w", url, err)
	}
	lines := strings.Fields(string(out.Stdout))
	if len(lines) == 0 {
		return "", fmt.Errorf("asking Nix for the hash of %s: nix-prefetch-url printed no hash", url)
	}
	sri, err := pins.NormalizeHash("sha256:" + lines[len(lines)-1])
	if err != nil {
		return "", fmt.Errorf("asking Nix for the hash of %s: %w", url, err)
	}
	if err := pins.CheckHash("the archive's hash", sri); err != nil {
		return "", fmt.Errorf("asking Nix for the hash of %s: %w", url, err)
	}
	return sri, nil
}

// UpdateFlakeInput moves the input name of the flake in dir (a working
// tree) to the newest revision of what it follows, writing flake.lock
// there, as `nix flake update` does: Nix fetches and locks it.
func (e *Engine) UpdateFlakeInput(ctx context.Context, dir, name string) error {
	host, err := e.probeHost(ctx)
	if err != nil {
		return err
	}
	if _, err := e.opts.Nix.Run(ctx, nixcmd.Command{Name: "nix", Args: host.FlakeUpdateArgs(name), Dir: dir}); err != nil {
		return fmt.Errorf("updating the flake input %s: %w", name, err)
	}
	return nil
}
