package postgres_test

import "testing"

// Claims and answers name staff accounts (migration 007): a claim lets go
// when its account goes, an answer keeps its author, and neither can name
// an account that does not exist.
func TestConsultStaffKeys(t *testing.T) {
	cf := setupConsult(t)
	sato, suzuki := cf.midwife(t, "sato"), cf.midwife(t, "suzuki")
	claimedQ := cf.ask(t, cf.consenting(t), "抱っこ紐はいつから使えますか")
	claimed, err := cf.service.Claim(cf.ctx, claimedQ.ID, suzuki, claimedQ.Version)
	if err != nil {
		t.Fatal(err)
	}
	answeredQ := cf.ask(t, cf.consenting(t), "授乳の間隔は何時間ですか")
	if _, err := cf.service.Answer(cf.ctx, answeredQ.ID, sato, "3時間くらいが目安です。", answeredQ.Version); err != nil {
		t.Fatal(err)
	}

	other := cf.ask(t, cf.consenting(t), "沐浴の時間は")
	if _, err := cf.service.Claim(cf.ctx, other.ID, 999999, other.Version); err == nil {
		t.Error("a question was claimed by an account that does not exist")
	}
	if _, err := cf.service.Answer(cf.ctx, other.ID, 999999, "答え", other.Version); err == nil {
		t.Error("a question was answered by an account that does not exist")
	}

	// Deleting accounts is no console feature; the keys are what is tested.
	deleteAccount := func(id int64) error {
		// Her audit entries would hold her row; the keys under test are
		// those of the consultations.
		if _, err := cf.pool.Exec(cf.ctx, `DELETE FROM staff_audit WHERE account_id = $1`, id); err != nil {
			t.Fatal(err)
		}
		_, err := cf.pool.Exec(cf.ctx, `DELETE FROM staff_accounts WHERE id = $1`, id)
		return err
	}
	if err := deleteAccount(sato); err == nil {
		t.Error("the account that answered was deleted")
	}
	if err := deleteAccount(suzuki); err != nil {
		t.Fatalf("delete the account that only claimed: %v", err)
	}
	q, err := cf.service.Question(cf.ctx, claimed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if q.ClaimedBy != nil {
		t.Errorf("claimed by %d after the account was deleted, want nobody", *q.ClaimedBy)
	}
	answered, err := cf.service.History(cf.ctx, answeredQ.MotherID)
	if err != nil || len(answered) != 1 || answered[0].Answer == nil || answered[0].Answer.StaffID != sato {
		t.Errorf("answered question %+v (%v), want sato's answer kept", answered, err)
	}
}
