package staff

import (
	"net/http"
	"strconv"
)

// auditPage is how many entries one page of the audit log shows.
const auditPage = 100

type auditView struct {
	Entries []AuditEntry
	// Older is the ID to page on from, 0 when this is the oldest page.
	Older int64
}

func (c *Console) auditLog(w http.ResponseWriter, r *http.Request) error {
	f, err := c.cfg.Facility(r.Context())
	if err != nil {
		return err
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	entries, err := c.cfg.Store.AuditLog(r.Context(), f.ID, max(0, before), auditPage+1)
	if err != nil {
		return err
	}
	v := auditView{Entries: entries}
	if len(entries) > auditPage {
		v.Entries = entries[:auditPage]
		v.Older = v.Entries[auditPage-1].ID
	}
	return c.render(w, r, "audit", v)
}

// actionLabels are the audit log's actions as staff read them.
var actionLabels = map[Action]string{
	ActionAccountCreated:    "アカウント作成",
	ActionLogin:             "ログイン",
	ActionLoginFailed:       "ログイン失敗",
	ActionLoginRefused:      "ログイン制限中の試行",
	ActionLogout:            "ログアウト",
	ActionAnswer:            "相談に回答",
	ActionCloseDay:          "休室にした",
	ActionOpenDay:           "休室を取り消した",
	ActionDayCapacity:       "定員を変更",
	ActionDayOptionCapacity: "オプションの定員を変更",
	ActionSettings:          "設定を変更",
}

// settingLabels name the settings in an audit entry's target.
var settingLabels = map[string]string{
	"answer_hours":    "回答時間",
	"cancel_deadline": "キャンセル期限",
	"max_visits":      "利用回数の上限",
	"daily_capacity":  "1日の定員",
}
