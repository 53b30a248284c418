package device

import (
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/oauth2"
)

// Account is the signed-in account and its tokens. It lives in the tokens
// bucket, as an accountRecord, and never leaves the daemon.
type Account struct {
	UPN      string
	Provider string
	Tenant   string
	ClientID string
	// TenantID is the id_token's tid: the organisation the account is in.
	TenantID string

	// Endpoints are where this sign-in's tokens may go, as the settings
	// said when it was made. nil for an account stored before they were
	// recorded, until BindEndpoints records them.
	Endpoints *Endpoints

	Token *oauth2.Token

	SignedInAt  time.Time
	LastRefresh time.Time

	// Ended is set when the provider refused the refresh token: what it
	// said, for the admin. The account stays so the device can say whose
	// sign-in needs renewing.
	Ended *Ended
}

// Ended is why a sign-in ended.
type Ended struct {
	Summary string
	Hint    string
	Detail  string
	At      time.Time
}

// Account reads the signed-in account; ok is false when nobody signed in.
func (st *Store) Account() (acct Account, ok bool, err error) {
	err = st.db.View(func(tx *bolt.Tx) error {
		acct, ok, err = getAccount(tx.Bucket(bucketTokens))
		return err
	})
	return acct, ok && acct.Token != nil, err
}

// SaveSignIn stores a new sign-in and makes its UPN the device address, in
// one transaction: the device never holds tokens for one account while
// sending as another. A domain tenant (contoso.onmicrosoft.com), when not
// "", has its tenant ID remembered from its first sign-in on.
func (st *Store) SaveSignIn(acct Account, domainTenant string) error {
	return st.db.Update(func(tx *bolt.Tx) error {
		if err := putAccount(tx.Bucket(bucketTokens), acct); err != nil {
			return err
		}
		b := tx.Bucket(bucketSettings)
		s, err := getSettings(b)
		if err != nil {
			return err
		}
		s.DeviceAddress = acct.UPN
		if err := putSettings(b, s); err != nil {
			return err
		}
		if domainTenant == "" {
			return nil
		}
		ids := map[string]string{}
		if _, err := getJSON(b, keyTenantIDs, &ids); err != nil {
			return err
		}
		if d := strings.ToLower(domainTenant); ids[d] == "" {
			ids[d] = acct.TenantID
			return putJSON(b, keyTenantIDs, ids)
		}
		return nil
	})
}

// TenantID is the tenant ID a domain tenant had at its first sign-in, ""
// before one. It outlives sign-outs: the domain stays the organisation's.
func (st *Store) TenantID(domainTenant string) (string, error) {
	ids := map[string]string{}
	err := st.db.View(func(tx *bolt.Tx) error {
		_, err := getJSON(tx.Bucket(bucketSettings), keyTenantIDs, &ids)
		return err
	})
	return ids[strings.ToLower(domainTenant)], err
}

// SaveToken stores a refreshed token for the account that is signed in. A
// provider that rotates refresh tokens has already invalidated the old one,
// so losing this write would lose the sign-in.
func (st *Store) SaveToken(upn string, tok *oauth2.Token, at time.Time) error {
	return st.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTokens)
		acct, ok, err := getAccount(b)
		if err != nil {
			return err
		}
		if !ok || acct.UPN != upn {
			// A new sign-in happened while this refresh ran; it wins.
			return nil
		}
		acct.Token = tok
		acct.LastRefresh = at
		return putAccount(b, acct)
	})
}

// BindEndpoints records the endpoints of an account stored before sign-ins
// were tied to them (see Device.bindLegacySignIn); an account that has
// them keeps its own.
func (st *Store) BindEndpoints(upn string, ep Endpoints) error {
	return st.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTokens)
		acct, ok, err := getAccount(b)
		if err != nil || !ok || acct.UPN != upn || acct.Endpoints != nil {
			return err
		}
		acct.Endpoints = &ep
		return putAccount(b, acct)
	})
}

// EndSignIn records that the provider ended upn's sign-in.
func (st *Store) EndSignIn(upn string, ended Ended) error {
	return st.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTokens)
		acct, ok, err := getAccount(b)
		if err != nil || !ok || acct.UPN != upn {
			return err
		}
		acct.Ended = &ended
		return putAccount(b, acct)
	})
}

// DeleteAccount forgets the sign-in and its tokens.
func (st *Store) DeleteAccount() error {
	return st.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTokens).Delete(keyAccount)
	})
}
