package fakeaws

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// bucket is an S3 bucket's notification configuration, and the one it was
// seeded with.
type bucket struct {
	config, seeded s3types.NotificationConfiguration
}

// S3 is the account's S3 (bucket notification configurations only;
// buckets are seeded with AddBucket).
type S3 struct{ c *Cloud }

// S3 returns the account's S3.
func (c *Cloud) S3() *S3 { return &S3{c} }

// AddBucket adds a bucket of this account with a notification
// configuration (the zero value for none), and returns its ARN. Empty
// reports a bucket whose configuration is no longer this one.
func (c *Cloud) AddBucket(name string, existing s3types.NotificationConfiguration) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	c.buckets[name] = &bucket{config: cloneNotification(existing), seeded: cloneNotification(existing)}
	return "arn:aws:s3:::" + name
}

// BucketNotification returns a bucket's notification configuration.
func (c *Cloud) BucketNotification(name string) (s3types.NotificationConfiguration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	b, ok := c.buckets[name]
	if !ok {
		return s3types.NotificationConfiguration{}, false
	}
	return cloneNotification(b.config), true
}

func cloneNotification(n s3types.NotificationConfiguration) s3types.NotificationConfiguration {
	// Every field is a value or a slice of values with pointers to
	// strings, which are never modified in place.
	out := n
	out.LambdaFunctionConfigurations = append([]s3types.LambdaFunctionConfiguration(nil), n.LambdaFunctionConfigurations...)
	out.QueueConfigurations = append([]s3types.QueueConfiguration(nil), n.QueueConfigurations...)
	out.TopicConfigurations = append([]s3types.TopicConfiguration(nil), n.TopicConfigurations...)
	return out
}

func (s *S3) bucket(name, owner *string) (*bucket, error) {
	b, ok := s.c.buckets[aws.ToString(name)]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "NoSuchBucket", Message: "The specified bucket does not exist"}
	}
	if o := aws.ToString(owner); o != "" && o != s.c.Account {
		return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "Access Denied"}
	}
	return b, nil
}

// GetBucketNotificationConfiguration returns a bucket's notification
// configuration.
func (s *S3) GetBucketNotificationConfiguration(ctx context.Context, in *s3.GetBucketNotificationConfigurationInput, _ ...func(*s3.Options)) (*s3.GetBucketNotificationConfigurationOutput, error) {
	if _, err := s.c.begin(ctx, "s3", "GetBucketNotificationConfiguration", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	b, err := s.bucket(in.Bucket, in.ExpectedBucketOwner)
	if err != nil {
		return nil, err
	}
	n := cloneNotification(b.config)
	return &s3.GetBucketNotificationConfigurationOutput{EventBridgeConfiguration: n.EventBridgeConfiguration,
		LambdaFunctionConfigurations: n.LambdaFunctionConfigurations, QueueConfigurations: n.QueueConfigurations,
		TopicConfigurations: n.TopicConfigurations}, nil
}

// PutBucketNotificationConfiguration replaces a bucket's notification
// configuration. As S3 does, it checks that it may invoke the Lambda
// destinations: a configuration new or changed by this call whose
// function is in this account must exist and allow s3.amazonaws.com to
// invoke it from this bucket. Ids must be unique.
func (s *S3) PutBucketNotificationConfiguration(ctx context.Context, in *s3.PutBucketNotificationConfigurationInput, opts ...func(*s3.Options)) (*s3.PutBucketNotificationConfigurationOutput, error) {
	return resend(s.c, attempts(opts, func(o *s3.Options) int { return o.RetryMaxAttempts }), func() (*s3.PutBucketNotificationConfigurationOutput, error) {
		return s.putBucketNotificationConfiguration(ctx, in)
	})
}

func (s *S3) putBucketNotificationConfiguration(ctx context.Context, in *s3.PutBucketNotificationConfigurationInput) (*s3.PutBucketNotificationConfigurationOutput, error) {
	post, err := s.c.begin(ctx, "s3", "PutBucketNotificationConfiguration", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	b, err := s.bucket(in.Bucket, in.ExpectedBucketOwner)
	if err != nil {
		return nil, err
	}
	var n s3types.NotificationConfiguration
	if in.NotificationConfiguration != nil {
		n = cloneNotification(*in.NotificationConfiguration)
	}
	ids := map[string]bool{}
	dup := func(id *string) bool {
		if aws.ToString(id) == "" {
			return false
		}
		if ids[*id] {
			return true
		}
		ids[*id] = true
		return false
	}
	old := map[string]string{}
	for _, l := range b.config.LambdaFunctionConfigurations {
		data, _ := json.Marshal(l)
		old[string(data)] = aws.ToString(l.Id)
	}
	for _, l := range n.LambdaFunctionConfigurations {
		if dup(l.Id) {
			return nil, &smithy.GenericAPIError{Code: "InvalidArgument", Message: "Configuration Id must be unique: " + aws.ToString(l.Id)}
		}
		if len(l.Events) == 0 {
			return nil, &smithy.GenericAPIError{Code: "InvalidArgument", Message: "Event must be specified"}
		}
		for _, e := range l.Events {
			if !strings.HasPrefix(string(e), "s3:") {
				return nil, &smithy.GenericAPIError{Code: "InvalidArgument", Message: "The event is not supported for notifications: " + string(e)}
			}
		}
		data, _ := json.Marshal(l)
		if _, same := old[string(data)]; same || aws.ToBool(in.SkipDestinationValidation) {
			continue
		}
		if !s.mayInvoke(aws.ToString(l.LambdaFunctionArn), aws.ToString(in.Bucket)) {
			return nil, &smithy.GenericAPIError{Code: "InvalidArgument", Message: "Unable to validate the following destination configurations"}
		}
	}
	for _, q := range n.QueueConfigurations {
		if dup(q.Id) {
			return nil, &smithy.GenericAPIError{Code: "InvalidArgument", Message: "Configuration Id must be unique"}
		}
	}
	for _, t := range n.TopicConfigurations {
		if dup(t.Id) {
			return nil, &smithy.GenericAPIError{Code: "InvalidArgument", Message: "Configuration Id must be unique"}
		}
	}
	b.config = n
	if post != nil {
		return nil, post
	}
	return &s3.PutBucketNotificationConfigurationOutput{}, nil
}

// mayInvoke reports whether S3 may invoke a function for bucket: true for
// a function outside this account and region (not checked), else when it
// exists with a statement for s3.amazonaws.com whose SourceArn, if any,
// is the bucket's.
func (s *S3) mayInvoke(functionARN, bucket string) bool {
	prefix := "arn:aws:lambda:" + s.c.Region + ":" + s.c.Account + ":function:"
	if !strings.HasPrefix(functionARN, prefix) {
		return true
	}
	f, ok := s.c.functions[strings.TrimPrefix(functionARN, prefix)]
	if !ok {
		return false
	}
	for _, st := range f.statements {
		if st.principal == "s3.amazonaws.com" && (st.sourceARN == "" || st.sourceARN == "arn:aws:s3:::"+bucket) {
			return true
		}
	}
	return false
}

// BucketSnapshot is a bucket's notification configuration, as JSON.
type BucketSnapshot struct {
	Notification string
}

// bucketSnapshots returns the buckets; the caller holds c.mu.
func (c *Cloud) bucketSnapshots() map[string]BucketSnapshot {
	out := map[string]BucketSnapshot{}
	for name, b := range c.buckets {
		out[name] = BucketSnapshot{Notification: notificationJSON(b.config)}
	}
	return out
}

// notificationJSON is a configuration as JSON, each list sorted by id.
func notificationJSON(n s3types.NotificationConfiguration) string {
	n = cloneNotification(n)
	sort.SliceStable(n.LambdaFunctionConfigurations, func(i, j int) bool {
		return aws.ToString(n.LambdaFunctionConfigurations[i].Id) < aws.ToString(n.LambdaFunctionConfigurations[j].Id)
	})
	sort.SliceStable(n.QueueConfigurations, func(i, j int) bool {
		return aws.ToString(n.QueueConfigurations[i].Id) < aws.ToString(n.QueueConfigurations[j].Id)
	})
	sort.SliceStable(n.TopicConfigurations, func(i, j int) bool {
		return aws.ToString(n.TopicConfigurations[i].Id) < aws.ToString(n.TopicConfigurations[j].Id)
	})
	data, _ := json.Marshal(n)
	return string(data)
}
