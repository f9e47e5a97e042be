// Package policygen generates least-privilege IAM policies for the
// functions of a gochalice app (and for plain aws-lambda-go programs) from
// the user's Go code.
//
// It loads the user's module with type information — from source only the
// packages that can reach the AWS SDK, everything else from export data,
// so its cost grows with the user's code and not with the SDK — and finds,
// from each function's handlers, every aws-sdk-go-v2 operation the code can
// reach: client calls, calls through the user's interfaces, struct fields
// and function values, helpers in other packages and modules, closures and
// goroutines, paginators, waiters, presigners and the S3 transfer manager.
// Operations map to IAM actions through checked-in data (internal/awsdata,
// generated from the SDK and AWS's published action list). Where a call's
// resource name is a constant or an environment variable the stage sets,
// the statement names the resource's ARN, with CloudFormation-style
// placeholders (${AWS::Partition}, ${AWS::Region}, ${AWS::AccountId}) that
// Resolve fills in; otherwise the resource is "*" and a diagnostic says
// where and how to scope it.
package policygen
