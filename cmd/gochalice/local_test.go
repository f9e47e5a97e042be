package main

import (
	"bytes"
	"context"
	"testing"
)

// TestLocalIAMIdentity checks --iam-identity before anything is built.
func TestLocalIAMIdentity(t *testing.T) {
	for _, id := range []string{"alice", "arn:aws:iam::123:user/alice", "arn:aws:s3:::bucket", "arn:aws:iam::111122223333:group/admins"} {
		t.Run(id, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := runCLI(context.Background(), &stdout, &stderr, []string{"gochalice", "local", "--project-dir", invokeAppDir, "--iam-identity", id})
			want := "--iam-identity \"" + id + "\" is not an IAM user or role ARN: use arn:aws:iam::ACCOUNT:user/NAME or arn:aws:iam::ACCOUNT:role/NAME"
			if err == nil || err.Error() != want {
				t.Errorf("err = %v, want %q", err, want)
			}
		})
	}
	for _, id := range []string{"arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:role/path/back-office", "arn:aws-cn:sts::111122223333:assumed-role/ops/session-1"} {
		if !iamIdentityPattern.MatchString(id) {
			t.Errorf("%s is refused", id)
		}
	}
}
