# The application tier: a launch template (AL2023, IMDSv2 required, encrypted gp3 root volume, the
# instance profile, a bootstrap script) and an auto scaling group over the private subnets behind the
# load balancer, with CPU target tracking, rolling refreshes and a night-time schedule.

resource "aws_launch_template" "app" {
  name_prefix            = "${var.name}-app-"
  description            = "Application instances of ${var.name}"
  image_id               = "resolve:ssm:${var.ami_ssm_parameter}"
  instance_type          = var.instance_type
  key_name               = var.key_name
  vpc_security_group_ids = [var.security_group_id]
  update_default_version = true
  ebs_optimized          = true

  user_data = base64encode(templatefile("${path.module}/user_data.sh.tftpl", {
    app_port       = var.app_port
    environment    = var.environment
    db_secret_arn  = var.db_secret_arn
    repository_url = var.repository_url
    region         = var.region
  }))

  iam_instance_profile {
    name = var.instance_profile_name
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "enabled"
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_type           = "gp3"
      volume_size           = var.root_volume_size
      encrypted             = true
      delete_on_termination = true
    }
  }

  monitoring {
    enabled = true
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, { Name = "${var.name}-app" })
  }

  tag_specifications {
    resource_type = "volume"
    tags          = merge(var.tags, { Name = "${var.name}-app" })
  }

  tags = var.tags
}

resource "aws_autoscaling_group" "app" {
  name                      = "${var.name}-app-asg"
  min_size                  = var.min_size
  max_size                  = var.max_size
  desired_capacity          = var.desired_capacity
  vpc_zone_identifier       = var.subnet_ids
  target_group_arns         = [var.target_group_arn]
  health_check_type         = "ELB"
  health_check_grace_period = 300
  default_instance_warmup   = 120

  launch_template {
    id      = aws_launch_template.app.id
    version = aws_launch_template.app.latest_version
  }

  instance_refresh {
    strategy = "Rolling"
    preferences {
      min_healthy_percentage = 50
    }
  }

  dynamic "tag" {
    for_each = merge(var.tags, { Name = "${var.name}-app" })
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }

  lifecycle {
    ignore_changes = [desired_capacity]

    precondition {
      condition     = var.min_size <= var.desired_capacity && var.desired_capacity <= var.max_size
      error_message = "The group needs min_size <= desired_capacity <= max_size."
    }
  }
}

resource "aws_autoscaling_policy" "cpu" {
  name                   = "${var.name}-cpu-target"
  autoscaling_group_name = aws_autoscaling_group.app.name
  policy_type            = "TargetTrackingScaling"

  target_tracking_configuration {
    predefined_metric_specification {
      predefined_metric_type = "ASGAverageCPUUtilization"
    }
    target_value = var.cpu_target
  }
}

resource "aws_autoscaling_schedule" "scale_down" {
  scheduled_action_name  = "${var.name}-scale-down"
  autoscaling_group_name = aws_autoscaling_group.app.name
  recurrence             = "0 20 * * *"
  time_zone              = "Etc/UTC"
  min_size               = var.min_size
  max_size               = var.max_size
  desired_capacity       = var.min_size
}

resource "aws_autoscaling_schedule" "scale_up" {
  scheduled_action_name  = "${var.name}-scale-up"
  autoscaling_group_name = aws_autoscaling_group.app.name
  recurrence             = "0 7 * * *"
  time_zone              = "Etc/UTC"
  min_size               = var.min_size
  max_size               = var.max_size
  desired_capacity       = var.desired_capacity
}
