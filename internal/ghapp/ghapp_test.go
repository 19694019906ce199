package ghapp_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/hashbot-nix/hashbot/internal/ghapp"
	"github.com/hashbot-nix/hashbot/internal/ghclient/ghfake"
)

// appKey is a fresh App key, and its PEM as GitHub hands it out.
func appKey(t *testing.T) (*rsa.PrivateKey, []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
}

// TestTokensAreMintedAndRenewed: the installation is found from the
// repository, a token lasts until a minute before it expires, and one that
// would expire within the minute is renewed.
func TestTokensAreMintedAndRenewed(t *testing.T) {
	for _, tt := range []struct {
		name      string
		ttl       time.Duration
		wantMints int // for three Token calls
	}{
		{name: "an hour's token serves every call", ttl: time.Hour, wantMints: 1},
		{name: "a token within a minute of expiring is renewed", ttl: time.Minute, wantMints: 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			key, keyPEM := appKey(t)
			srv := ghfake.New(t)
			srv.AddRepo("me/app-nix", "main")
			srv.AddApp(ghfake.App{ID: 4242, PublicKey: &key.PublicKey, Installation: 77, Repos: []string{"me/app-nix"}, TokenTTL: tt.ttl})
			tokens, err := ghapp.New(ghapp.Options{BaseURL: srv.URL, AppID: 4242, PrivateKey: keyPEM, Repo: "me/app-nix"})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for range 3 {
				tok, err := tokens.Token(t.Context())
				if err != nil || !strings.HasPrefix(tok, "ghs_") {
					t.Fatalf("Token = %q, %v", tok, err)
				}
				seen[tok] = true
			}
			if srv.MintedTokens() != tt.wantMints || len(seen) != tt.wantMints {
				t.Errorf("%d tokens minted, %d distinct handed out; want %d", srv.MintedTokens(), len(seen), tt.wantMints)
			}
		})
	}
}

func TestTokensRefuseWhatCannotWork(t *testing.T) {
	key, keyPEM := appKey(t)
	_, otherPEM := appKey(t)
	srv := ghfake.New(t)
	srv.AddRepo("me/app-nix", "main")
	srv.AddApp(ghfake.App{ID: 4242, PublicKey: &key.PublicKey, Installation: 77, Repos: []string{"me/app-nix"}})
	for _, tt := range []struct {
		name   string
		opts   ghapp.Options
		newErr string // New's error
		tokErr string // else Token's
	}{
		{name: "not a key", opts: ghapp.Options{AppID: 4242, PrivateKey: []byte("hunter2"), Repo: "me/app-nix"}, newErr: "private key: not PEM"},
		{name: "no app ID", opts: ghapp.Options{PrivateKey: keyPEM, Repo: "me/app-nix"}, newErr: "is not an App ID"},
		{name: "nowhere to look the installation up", opts: ghapp.Options{AppID: 4242, PrivateKey: keyPEM}, newErr: "no installation ID"},
		{name: "not installed on the repository", opts: ghapp.Options{AppID: 4242, PrivateKey: keyPEM, Repo: "me/other"},
			tokErr: "looking up its installation on me/other: 404 Not Found (is the App installed there?)"},
		{name: "another App's key", opts: ghapp.Options{AppID: 4242, PrivateKey: otherPEM, Repo: "me/app-nix"}, tokErr: "401"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.BaseURL = srv.URL
			tokens, err := ghapp.New(tt.opts)
			if tt.newErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.newErr) {
					t.Fatalf("New = %v, want an error saying %q", err, tt.newErr)
				}
				if strings.Contains(err.Error(), "BEGIN") {
					t.Errorf("the error shows the key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tokens.Token(t.Context()); err == nil || !strings.Contains(err.Error(), tt.tokErr) {
				t.Errorf("Token = %v, want an error saying %q", err, tt.tokErr)
			}
		})
	}
}
