package pins

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestNormalizeHash(t *testing.T) {
	const sri = "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E=" // sha256("hello download")
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{name: "SRI stays", in: sri, want: sri},
		{name: "nix32 with algo", in: "sha256:1hd77wkri4blx24dflddfzwplq08r94s8ws1c4l10zs1qsfdhgzi", want: sri},
		{name: "base16 with algo", in: "sha256:f13fd89cc6417f1028614173a449ca08607af977ad51d788e8749198273fa7c1", want: sri},
		{name: "base64 with algo", in: "sha256:8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E=", want: sri},
		{name: "SRI without padding", in: "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E", want: sri},
		{name: "surrounding blanks", in: "  " + sri + "\t", want: sri},
		{name: "nix32 zeros are the fake hash", in: "sha256:0000000000000000000000000000000000000000000000000000", want: "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},
		{name: "sha512 SRI", in: "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==", want: "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="},
		{name: "no algorithm", in: "1hd77wkri4blx24dflddfzwplq08r94s8ws1c4l10zs1qsfdhgzi", wantErr: true},
		{name: "unknown algorithm", in: "blake3-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E=", wantErr: true},
		{name: "wrong length", in: "sha256-AAAA", wantErr: true},
		{name: "not nix32", in: "sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", wantErr: true},
		{name: "nix32 in SRI form", in: "sha256-1hd77wkri4blx24dflddfzwplq08r94s8ws1c4l10zs1qsfdhgzi", wantErr: true},
		{name: "empty", in: "", wantErr: true},
		{name: "words", in: "fake", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeHash(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("NormalizeHash(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("NormalizeHash(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFakeReason(t *testing.T) {
	tests := []struct {
		name string
		hash string
		fake bool
	}{
		{"lib.fakeHash", "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", true},
		{"lib.fakeSha256 (nix32)", "sha256:0000000000000000000000000000000000000000000000000000", true},
		{"all-zero base16", "sha256:" + strings.Repeat("0", 64), true},
		{"all-zero sha512 SRI", "sha512-" + strings.Repeat("A", 86) + "==", true},
		{"all-zero sha1", "sha1:" + strings.Repeat("0", 40), true},
		{"every byte 0xff", "sha256-//////////////////////////////////////////8=", true},
		{"hashbot's placeholder", Placeholder("python-deps", "aarch64-linux"), true},
		{"hashbot's placeholder, system-independent", Placeholder("src", ""), true},
		{"a real hash", "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E=", false},
		{"a real hash in nix32", "sha256:1hd77wkri4blx24dflddfzwplq08r94s8ws1c4l10zs1qsfdhgzi", false},
		{"not a hash at all", "garbage", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FakeReason(tt.hash) != ""; got != tt.fake {
				t.Errorf("FakeReason(%q) = %q, want fake %v", tt.hash, FakeReason(tt.hash), tt.fake)
			}
		})
	}
}

func TestPlaceholdersAreDistinctPerTarget(t *testing.T) {
	seen := map[string]string{}
	for _, target := range [][2]string{{"a", ""}, {"a", "x86_64-linux"}, {"a", "aarch64-linux"}, {"b", ""}} {
		h := Placeholder(target[0], target[1])
		if other, dup := seen[h]; dup {
			t.Errorf("%v and %s share the placeholder %s", target, other, h)
		}
		seen[h] = fmt.Sprint(target)
		if again := Placeholder(target[0], target[1]); again != h {
			t.Errorf("placeholder of %v is %s, then %s", target, h, again)
		}
		if err := CheckHash("hashes."+target[0], h); err == nil {
			t.Errorf("CheckHash accepted the placeholder %s", h)
		}
	}
}

func TestCheckHash(t *testing.T) {
	tests := []struct {
		name, hash, wantErr string
	}{
		{"an SRI hash", "sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E=", ""},
		{"garbage", "garbage", "not a Nix hash"},
		{"nix32, not SRI", "sha256:1hd77wkri4blx24dflddfzwplq08r94s8ws1c4l10zs1qsfdhgzi", "not in SRI form (want sha256-8T/YnMZBfxAoYUFzpEnKCGB6+XetUdeI6HSRmCc/p8E=)"},
		{"lib.fakeHash", "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "a fake hash"},
		{"an md5 SRI hash", "md5-jvt4fqicHCtDKd0pQlwwZQ==", "hashed with md5, and only sha256 hashes are pinned"},
		{"a sha1 SRI hash", "sha1-/bxQT+aUDYdc3wj2ktwNBJCpaT8=", "hashed with sha1, and only sha256"},
		{"a sha512 SRI hash", "sha512-U2LkNaXf+LpJq+FNyJ4A7pbYZhGUnlN2bVOJ/CfRKZXQ7YMMBrT1dNkegkRLGDyOp+54lUCEoz0oII6aJykmIA==", "hashed with sha512"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckHash("hashes.src", tt.hash)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckHash = %v", err)
				}
				return
			}
			var he *HashError
			if !errors.As(err, &he) || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "hashes.src ") {
				t.Errorf("CheckHash = %v, want a *HashError naming hashes.src and saying %q", err, tt.wantErr)
			}
		})
	}
}
