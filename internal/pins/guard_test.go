package pins

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGuardChange(t *testing.T) {
	const old = `{"version": "1", "fods": {"web": {"hash": "sha256-q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=", "rev": null}}, "list": [null, "x"]}`
	tests := []struct {
		name     string
		old, new string
		wantPath string // "" = accepted
	}{
		{"hash changed", old, `{"version": "2", "fods": {"web": {"hash": "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E=", "rev": null}}, "list": [null, "y"]}`, ""},
		{"new key with a value", old, `{"version": "1", "new": {"a": 1, "b": [true]}}`, ""},
		{"fake SRI hash", old, `{"fods": {"web": {"hash": "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}}}`, "$.fods.web.hash"},
		{"fake sha512 hash", old, `{"h": "sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="}`, "$.h"},
		{"fake hash inside a longer string", old, `{"h": "hash = sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;"}`, "$.h"},
		{"nix32 all-zero hash", old, `{"h": "0000000000000000000000000000000000000000000000000000"}`, "$.h"},
		{"prefixed all-zero hash", old, `{"h": "sha256:0000000000000000000000000000000000000000000000000000"}`, "$.h"},
		{"fake hash in an array", old, `{"list": ["x", "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="]}`, "$.list[1]"},
		{"null replacing a value", old, `{"version": null}`, "$.version"},
		{"null at a new path", old, `{"version": "1", "fods": {"web": {"hash": "sha256-q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=", "new": null}}}`, "$.fods.web.new"},
		{"null replacing an object", old, `{"fods": null}`, "$.fods"},
		{"null appended to an array", old, `{"list": [null, "x", null]}`, "$.list[2]"},
		{"null kept", old, `{"fods": {"web": {"rev": null}}, "list": [null]}`, ""},
		{"odd key quoted in the path", old, `{"a b": null}`, `$["a b"]`},
		{"new content not JSON", old, `{"version": `, "-"},
		{"trailing data", old, `{} {}`, "-"},
		{"old content not JSON", `nope`, `{}`, "-"},
		{"short zero run is fine", old, `{"n": "1.0.0", "z": "000000"}`, ""},
		{"real hash with A's is fine", old, `{"h": "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABA="}`, ""},
		{"lib.fakeHash with a stray padding bit is still zero", old, `{"h": "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB="}`, "$.h"},
		{"a fake kept as it was is not the change's", `{"h": "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "v": "1"}`,
			`{"h": "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "v": "2"}`, ""},
		{"a fake replacing another value", `{"h": "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E="}`,
			`{"h": "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}`, "$.h"},
		{"hashbot's own placeholder", old, `{"h": "` + Placeholder("src", "") + `"}`, "$.h"},
		{"base16 all-zero hash", old, `{"h": "sha256:0000000000000000000000000000000000000000000000000000000000000000"}`, "$.h"},
		{"base64 all-zero hash", old, `{"h": "sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}`, "$.h"},
		{"an md5 SRI hash", old, `{"fods": {"web": {"hash": "md5-jvt4fqicHCtDKd0pQlwwZQ=="}}}`, "$.fods.web.hash"},
		{"a sha1 SRI hash", old, `{"fods": {"web": {"hash": "sha1-/bxQT+aUDYdc3wj2ktwNBJCpaT8="}}}`, "$.fods.web.hash"},
		{"a sha1 hash in nix32", old, `{"h": "sha1:` + "7xlsk4041pf95xh8vxf8f3clwr7m1g7x" + `"}`, "$.h"},
		{"an md5 hash kept as it was is not the change's", `{"h": "md5-jvt4fqicHCtDKd0pQlwwZQ==", "v": "1"}`,
			`{"h": "md5-jvt4fqicHCtDKd0pQlwwZQ==", "v": "2"}`, ""},
		{"every byte the same", old, `{"h": "sha256-//////////////////////////////////////////8="}`, "$.h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := GuardChange([]byte(tt.old), []byte(tt.new))
			if tt.wantPath == "" {
				if err != nil {
					t.Fatalf("GuardChange = %v, want nil", err)
				}
				return
			}
			var ge *GuardError
			if !errors.As(err, &ge) || !errors.Is(err, ErrGuard) {
				t.Fatalf("GuardChange = %v, want a *GuardError", err)
			}
			if tt.wantPath == "-" {
				if !strings.Contains(ge.Reason, "JSON") && !strings.Contains(ge.Reason, "trailing") {
					t.Errorf("reason %q does not say the JSON is bad", ge.Reason)
				}
				return
			}
			if diff := cmp.Diff(tt.wantPath, ge.Path); diff != "" {
				t.Errorf("GuardError.Path (-want +got):\n%s", diff)
			}
		})
	}
}
