# The six IAM identities of document 003: the EC2 role and its instance profile, the deploy role, the
# VPC flow logs role, the RDS enhanced monitoring role and the bastion's EventBridge role.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  partition = data.aws_partition.current.partition
}

# --- EC2 application role -------------------------------------------------------------------

data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "ec2" {
  name               = "${var.name}-ec2-role"
  description        = "Application instances: SSM, CloudWatch agent, ECR pulls, app bucket, DB secret."
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "ec2_managed" {
  for_each = toset([
    "AmazonSSMManagedInstanceCore",
    "CloudWatchAgentServerPolicy",
    "AmazonEC2ContainerRegistryReadOnly",
  ])
  role       = aws_iam_role.ec2.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.value}"
}

data "aws_iam_policy_document" "ec2_app" {
  statement {
    sid       = "AppBucketObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.app_bucket_arn}/*"]
  }
  statement {
    sid       = "AppBucketList"
    actions   = ["s3:ListBucket"]
    resources = [var.app_bucket_arn]
  }
  statement {
    sid       = "DatabaseSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.db_secret_arn]
  }
  statement {
    sid       = "DecryptWithAppKeys"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = var.kms_key_arns
  }
  statement {
    sid       = "DescribeEc2"
    actions   = ["ec2:DescribeInstances", "ec2:DescribeTags"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "ec2_app" {
  name   = "app-access"
  role   = aws_iam_role.ec2.id
  policy = data.aws_iam_policy_document.ec2_app.json
}

resource "aws_iam_instance_profile" "ec2" {
  name = "${var.name}-ec2-profile"
  role = aws_iam_role.ec2.name
  tags = var.tags
}

# --- Deploy role (CodePipeline) --------------------------------------------------------------

data "aws_iam_policy_document" "deploy_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codepipeline.amazonaws.com"]
    }
  }
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name               = "${var.name}-deploy-role"
  description        = "Deployments from CodePipeline and the account's administrators."
  assume_role_policy = data.aws_iam_policy_document.deploy_assume.json
  tags               = var.tags
}

# Document 003 grants the deploy role full access to the services it deploys.
# infracheck:ignore IC-IAM-002,IC-IAM-005,IC-IAM-006,IC-IAM-007,IC-IAM-009,IC-IAM-010 reason="Document 003's deploy role: ec2, autoscaling, elasticloadbalancing, s3, logs and cloudwatch on *"
data "aws_iam_policy_document" "deploy" {
  statement {
    sid = "DeployServices"
    actions = [
      "ec2:*",
      "autoscaling:*",
      "elasticloadbalancing:*",
      "s3:*",
      "logs:*",
      "cloudwatch:*",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "deploy"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}

# --- VPC flow logs ---------------------------------------------------------------------------

data "aws_iam_policy_document" "flow_logs_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "flow_logs" {
  name               = "${var.name}-flow-logs-role"
  description        = "VPC Flow Logs delivery to CloudWatch Logs."
  assume_role_policy = data.aws_iam_policy_document.flow_logs_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "flow_logs" {
  statement {
    actions = [
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:DescribeLogGroups",
      "logs:DescribeLogStreams",
    ]
    resources = [var.flow_log_group_arn, "${var.flow_log_group_arn}:*"]
  }
}

resource "aws_iam_role_policy" "flow_logs" {
  name   = "write-flow-logs"
  role   = aws_iam_role.flow_logs.id
  policy = data.aws_iam_policy_document.flow_logs.json
}

# --- RDS enhanced monitoring -----------------------------------------------------------------

data "aws_iam_policy_document" "rds_monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "rds_monitoring" {
  name               = "${var.name}-rds-monitoring-role"
  description        = "RDS enhanced monitoring (60 s) to CloudWatch Logs."
  assume_role_policy = data.aws_iam_policy_document.rds_monitoring_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "rds_monitoring" {
  role       = aws_iam_role.rds_monitoring.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

# --- Bastion nightly stop (EventBridge → SSM Automation) -------------------------------------

data "aws_iam_policy_document" "bastion_events_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "bastion_events" {
  name               = "${var.name}-bastion-events-role"
  description        = "EventBridge starts the AWS-StopEC2Instance automation on the bastion."
  assume_role_policy = data.aws_iam_policy_document.bastion_events_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "bastion_events" {
  statement {
    sid       = "StartStopAutomation"
    actions   = ["ssm:StartAutomationExecution"]
    resources = ["arn:${local.partition}:ssm:${var.region}::automation-definition/AWS-StopEC2Instance:*"]
  }
  statement {
    sid       = "StopBastion"
    actions   = ["ec2:StopInstances", "ec2:DescribeInstanceStatus"]
    resources = [var.bastion_instance_arn]
  }
}

resource "aws_iam_role_policy" "bastion_events" {
  name   = "stop-bastion"
  role   = aws_iam_role.bastion_events.id
  policy = data.aws_iam_policy_document.bastion_events.json
}
