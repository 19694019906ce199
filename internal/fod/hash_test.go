package fod

import "testing"

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
		{name: "nix32 zeros are the fake hash", in: "sha256:0000000000000000000000000000000000000000000000000000", want: parseTestFake},
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
