# The bastion: a t3.nano in a public subnet with an Elastic IP, SSH only from allowed addresses, and
# stopped every night by EventBridge through the AWS-StopEC2Instance automation.

data "aws_ssm_parameter" "al2023" {
  name = var.ami_ssm_parameter
}

resource "aws_instance" "this" {
  ami                         = data.aws_ssm_parameter.al2023.value
  instance_type               = var.instance_type
  subnet_id                   = var.subnet_id
  vpc_security_group_ids      = [var.security_group_id]
  key_name                    = var.key_name
  associate_public_ip_address = false
  monitoring                  = true
  ebs_optimized               = true

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = 8
    encrypted   = true
  }

  tags = merge(var.tags, { Name = "${var.name}-bastion" })

  lifecycle {
    ignore_changes = [ami]
  }
}

resource "aws_eip" "this" {
  domain   = "vpc"
  instance = aws_instance.this.id
  tags     = merge(var.tags, { Name = "${var.name}-bastion-eip" })
}

resource "aws_cloudwatch_event_rule" "stop" {
  name                = "${var.name}-bastion-nightly-stop"
  description         = "Stop the bastion host every night."
  schedule_expression = var.stop_schedule
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "stop" {
  rule     = aws_cloudwatch_event_rule.stop.name
  arn      = "arn:${var.partition}:ssm:${var.region}::automation-definition/AWS-StopEC2Instance:$DEFAULT"
  role_arn = var.events_role_arn
  input    = jsonencode({ InstanceId = [aws_instance.this.id] })
}
