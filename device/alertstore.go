package device

import (
	"time"

	bolt "go.etcd.io/bbolt"

	"scanmail/device/apitype"
)

// bucketAlerts holds one record per kind of alert, under its kind. It is
// made by the first alert, and a daemon from before the alerts ignores
// it, so it needs no new schema version.
var bucketAlerts = []byte("alerts.v1")

// alertRecord is an alert as the state file keeps it. An acknowledged one
// stays, shown nowhere, for when it was last mailed: acknowledging does
// not reset the rate limit of the mail.
type alertRecord struct {
	Summary  string    `json:"summary"`
	Hint     string    `json:"hint"`
	First    time.Time `json:"first"`
	Last     time.Time `json:"last"`
	Count    int       `json:"count"`
	Resolved time.Time `json:"resolved,omitzero"`
	Acked    time.Time `json:"acked,omitzero"`
	// Tried is when the alert was last given to the mail, whether it
	// went or not: the rate limit counts from there.
	Tried     time.Time `json:"tried,omitzero"`
	Mailed    time.Time `json:"mailed,omitzero"`
	MailedTo  string    `json:"mailed_to,omitempty"`
	MailError string    `json:"mail_error,omitempty"`
}

// shown reports whether the panel and the web pages show the alert: it
// was raised and not acknowledged since.
func (r alertRecord) shown() bool { return r.Count > 0 && r.Acked.IsZero() }

func (r alertRecord) alert(kind string) apitype.Alert {
	return apitype.Alert{
		Kind: kind, Summary: r.Summary, Hint: r.Hint,
		First: r.First, Last: r.Last, Count: r.Count, Resolved: r.Resolved,
		Mailed: r.Mailed, MailedTo: r.MailedTo, MailError: r.MailError,
	}
}

// alertRecords reads every alert record by kind.
func (st *Store) alertRecords() (map[string]alertRecord, error) {
	out := map[string]alertRecord{}
	err := st.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAlerts)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, _ []byte) error {
			var r alertRecord
			if _, err := getJSON(b, k, &r); err != nil {
				return err
			}
			out[string(k)] = r
			return nil
		})
	})
	return out, err
}

// updateAlert changes the record of kind in one transaction; fn reports
// whether it changed it, and nothing is written when not. It returns the
// record after.
func (st *Store) updateAlert(kind string, fn func(*alertRecord) bool) (alertRecord, bool, error) {
	var r alertRecord
	var changed bool
	err := st.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketAlerts)
		if err != nil {
			return err
		}
		if _, err := getJSON(b, []byte(kind), &r); err != nil {
			return err
		}
		if changed = fn(&r); !changed {
			return nil
		}
		return putJSON(b, []byte(kind), r)
	})
	return r, changed, err
}

// alert reads the record of kind; the zero record when none.
func (st *Store) alert(kind string) (alertRecord, error) {
	var r alertRecord
	err := st.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAlerts)
		if b == nil {
			return nil
		}
		_, err := getJSON(b, []byte(kind), &r)
		return err
	})
	return r, err
}
