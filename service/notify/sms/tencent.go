package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"yaoju/service/pii"
)

// Tencent Cloud SMS, API version 2021-01-11, action SendSms. The request and
// response shapes follow tencentcloud-sdk-go sms/v20210111/models.go
// (SendSmsRequestParams, SendSmsResponseParams, SendStatus); the request-level
// error envelope follows common/http/response.go (ErrorResponse).
const (
	tencentEndpoint = "https://sms.tencentcloudapi.com"
	tencentRegion   = "ap-guangzhou"
	tencentService  = "sms"
	tencentAction   = "SendSms"
	tencentVersion  = "2021-01-11"
	// The content type is signed, so it must be sent byte for byte as signed.
	tencentContentType = "application/json; charset=utf-8"

	defaultTimeout   = 10 * time.Second
	maxResponseBytes = 1 << 20
)

// TencentConfig holds the account and the template mapping.
type TencentConfig struct {
	SecretID, SecretKey string
	// SDKAppID is the SMS application's SdkAppId, such as 1400006666.
	SDKAppID string
	// SignName is the approved signature's text (签名内容), not its id.
	SignName string
	// Region is X-TC-Region: ap-guangzhou (the default), ap-beijing or ap-nanjing.
	Region string
	// Endpoint defaults to https://sms.tencentcloudapi.com; tests point it
	// at an httptest server.
	Endpoint string
	// Templates maps yaoju's template names to Tencent TemplateIds.
	Templates map[string]string
}

// Tencent sends through Tencent Cloud SMS, signing each request with
// TC3-HMAC-SHA256.
type Tencent struct {
	cfg    TencentConfig
	client *http.Client
	now    func() time.Time
}

// NewTencent returns a sender for cfg. A nil client, or one without a
// timeout, is replaced by a copy with a 10 s timeout: the default client
// waits forever, and a hung send would hold its outbox lease.
func NewTencent(cfg TencentConfig, client *http.Client) *Tencent {
	if cfg.Endpoint == "" {
		cfg.Endpoint = tencentEndpoint
	}
	if cfg.Region == "" {
		cfg.Region = tencentRegion
	}
	cfg.Templates = maps.Clone(cfg.Templates)
	switch {
	case client == nil:
		client = &http.Client{Timeout: defaultTimeout}
	case client.Timeout == 0:
		c := *client
		c.Timeout = defaultTimeout
		client = &c
	}
	return &Tencent{cfg: cfg, client: client, now: time.Now}
}

type sendSmsRequest struct {
	PhoneNumberSet   []string `json:"PhoneNumberSet"`
	SDKAppID         string   `json:"SmsSdkAppId"`
	TemplateID       string   `json:"TemplateId"`
	SignName         string   `json:"SignName"`
	TemplateParamSet []string `json:"TemplateParamSet,omitempty"`
}

type sendSmsResponse struct {
	Response struct {
		Error *struct {
			Code    string `json:"Code"`
			Message string `json:"Message"`
		} `json:"Error"`
		SendStatusSet []struct {
			Code    string `json:"Code"`
			Message string `json:"Message"`
		} `json:"SendStatusSet"`
		RequestID string `json:"RequestId"`
	} `json:"Response"`
}

// Send sends template to phone, a mainland mobile number, as +86XXXXXXXXXXX.
func (t *Tencent) Send(ctx context.Context, phone, template string, params []string) error {
	if err := t.checkConfig(); err != nil {
		return err
	}
	templateID := t.cfg.Templates[template]
	if templateID == "" {
		return fmt.Errorf("%w %q", ErrUnknownTemplate, template)
	}
	national, err := nationalNumber(phone)
	if err != nil {
		return err
	}
	body, err := json.Marshal(sendSmsRequest{
		PhoneNumberSet:   []string{"+86" + national},
		SDKAppID:         t.cfg.SDKAppID,
		TemplateID:       templateID,
		SignName:         t.cfg.SignName,
		TemplateParamSet: params,
	})
	if err != nil {
		return fmt.Errorf("sms: encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.cfg.Endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("sms: build request: %w", err)
	}
	ts := t.now().Unix()
	req.Header.Set("Content-Type", tencentContentType)
	req.Header.Set("X-TC-Action", tencentAction)
	req.Header.Set("X-TC-Version", tencentVersion)
	req.Header.Set("X-TC-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-TC-Region", t.cfg.Region)
	// The action is signed too, as in the document's example, so a captured
	// request cannot be replayed as another action.
	req.Header.Set("Authorization", tc3Authorization(tc3Request{
		SecretID:  t.cfg.SecretID,
		SecretKey: t.cfg.SecretKey,
		Service:   tencentService,
		Timestamp: ts,
		Headers: map[string]string{
			"content-type": tencentContentType,
			"host":         req.URL.Host,
			"x-tc-action":  tencentAction,
		},
		Body: body,
	}))

	resp, err := t.client.Do(req)
	if err != nil {
		return &transportError{err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// The body is not quoted: it could echo the request.
		return &statusError{code: resp.StatusCode}
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return &transportError{err: err}
	}
	return parseSendSmsResponse(raw, national)
}

// parseSendSmsResponse turns Tencent's answer into nil or an *Error. national
// is masked out of Tencent's messages, which may quote it.
func parseSendSmsResponse(raw []byte, national string) error {
	var out sendSmsResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		return fmt.Errorf("sms: decode tencent response: %w", err)
	}
	r := out.Response
	if r.Error != nil && r.Error.Code != "" {
		return &Error{Code: r.Error.Code, Message: maskIn(r.Error.Message, national), RequestID: r.RequestID}
	}
	if len(r.SendStatusSet) == 0 {
		return fmt.Errorf("sms: tencent response has no SendStatusSet (request %s)", r.RequestID)
	}
	s := r.SendStatusSet[0]
	if strings.EqualFold(s.Code, "Ok") {
		return nil
	}
	return &Error{Code: s.Code, Message: maskIn(s.Message, national), RequestID: r.RequestID}
}

func maskIn(msg, national string) string {
	return strings.ReplaceAll(msg, national, pii.MaskPhone(national))
}

func (t *Tencent) checkConfig() error {
	var missing []string
	for _, f := range []struct{ name, value string }{
		{"SecretID", t.cfg.SecretID},
		{"SecretKey", t.cfg.SecretKey},
		{"SDKAppID", t.cfg.SDKAppID},
		{"SignName", t.cfg.SignName},
	} {
		if f.value == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return errors.New("sms: tencent config is missing " + strings.Join(missing, ", "))
	}
	return nil
}
