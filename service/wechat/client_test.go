package wechat

import (
	"net/http"
	"testing"

	"github.com/silenceper/wechat/v2/util"
)

func TestNew_SwapsSilenceperClientAndLeavesHTTPDefaultClientAlone(t *testing.T) {
	before := *http.DefaultClient
	e := newEnv(t)
	if util.DefaultHTTPClient == http.DefaultClient {
		t.Fatal("silenceper still uses http.DefaultClient")
	}
	if util.DefaultHTTPClient.Timeout != e.cfg.Timeout {
		t.Fatalf("timeout %v, want %v", util.DefaultHTTPClient.Timeout, e.cfg.Timeout)
	}
	if http.DefaultClient.Transport != before.Transport || http.DefaultClient.Timeout != before.Timeout {
		t.Fatal("http.DefaultClient was modified")
	}
}

func TestNew_ZeroTimeoutGetsDefault(t *testing.T) {
	newEnv(t, func(c *Config) { c.Timeout = 0 })
	if util.DefaultHTTPClient.Timeout != defaultTimeout {
		t.Fatalf("timeout %v", util.DefaultHTTPClient.Timeout)
	}
}
