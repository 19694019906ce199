package fod

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashbot-nix/hashbot/internal/nixcmd"
)

// LockedHashError is a flake.lock's locked reference whose narHash is not
// the one Nix computes for what it names.
type LockedHashError struct {
	// Ref is the locked reference (JSON); Want is its narHash, Got Nix's.
	Ref, Want, Got string
}

func (e *LockedHashError) Error() string {
	return fmt.Sprintf("the locked reference %s has narHash %s, but Nix fetched %s", e.Ref, e.Want, e.Got)
}

// VerifyLocked has Nix fetch the locked reference of a flake.lock node
// (its "locked" object, as JSON) with builtins.fetchTree, which fails on
// a narHash other than the content's: the lock then names the content it
// holds the hash of. lastModified and revCount are left out so that Nix
// cannot take a store path of that narHash it holds (or substitutes) for
// the fetch: the content is fetched where the reference says.
func (e *Engine) VerifyLocked(ctx context.Context, locked []byte) error {
	var ref map[string]any
	if err := json.Unmarshal(locked, &ref); err != nil {
		return fmt.Errorf("verifying a locked reference: %w", err)
	}
	want, _ := ref["narHash"].(string)
	if want == "" {
		return &LockedHashError{Ref: string(locked), Want: "(none)", Got: "(not fetched)"}
	}
	delete(ref, "lastModified")
	delete(ref, "revCount")
	attrs, err := json.Marshal(ref)
	if err != nil {
		return err
	}
	expr := fmt.Sprintf(`(builtins.fetchTree (builtins.fromJSON %s)).narHash`, nixString(string(attrs)))
	args := append(nixcmd.FlakeArgs(), "eval", "--raw", "--expr", expr)
	out, err := e.opts.Nix.Run(ctx, nixcmd.Command{Name: "nix", Args: args})
	if err != nil {
		return fmt.Errorf("having Nix fetch the locked reference %s: %w", locked, err)
	}
	if got := strings.TrimSpace(string(out.Stdout)); got != want {
		return &LockedHashError{Ref: string(locked), Want: want, Got: got}
	}
	return nil
}

// nixString is s as a Nix string literal.
func nixString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`, "\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(s) + `"`
}
