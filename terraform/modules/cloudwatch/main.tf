# Alerting and the dashboard: the SNS alerts topic, the nine alarms of document 003's table and the
# dashboard over the ASG, the load balancer and the database.

locals {
  # MySQL's default max_connections is DBInstanceClassMemory / 12582880; memory in MiB per class.
  db_memory_mib = {
    "db.t3.micro"  = 1024
    "db.t3.small"  = 2048
    "db.t3.medium" = 4096
    "db.t3.large"  = 8192
  }
  db_max_connections = floor(local.db_memory_mib[var.db_instance_class] * 1048576 / 12582880)

  asg  = { AutoScalingGroupName = var.autoscaling_group_name }
  alb  = { LoadBalancer = var.alb_arn_suffix }
  tg   = { LoadBalancer = var.alb_arn_suffix, TargetGroup = var.target_group_arn_suffix }
  rds  = { DBInstanceIdentifier = var.db_instance_identifier }
  both = [aws_sns_topic.alerts.arn]

  alarms = {
    asg-cpu-high        = { metric = "CPUUtilization", namespace = "AWS/EC2", stat = "Average", op = "GreaterThanOrEqualToThreshold", threshold = 80, periods = 2, period = 120, dims = local.asg, ok = true }
    asg-cpu-low         = { metric = "CPUUtilization", namespace = "AWS/EC2", stat = "Average", op = "LessThanOrEqualToThreshold", threshold = 10, periods = 3, period = 120, dims = local.asg, ok = false }
    alb-5xx             = { metric = "HTTPCode_ELB_5XX_Count", namespace = "AWS/ApplicationELB", stat = "Sum", op = "GreaterThanOrEqualToThreshold", threshold = 10, periods = 1, period = 60, dims = local.alb, ok = true }
    target-5xx          = { metric = "HTTPCode_Target_5XX_Count", namespace = "AWS/ApplicationELB", stat = "Sum", op = "GreaterThanOrEqualToThreshold", threshold = 10, periods = 1, period = 60, dims = local.alb, ok = false }
    alb-unhealthy-hosts = { metric = "UnHealthyHostCount", namespace = "AWS/ApplicationELB", stat = "Maximum", op = "GreaterThanOrEqualToThreshold", threshold = 1, periods = 2, period = 60, dims = local.tg, ok = true }
    alb-latency         = { metric = "TargetResponseTime", namespace = "AWS/ApplicationELB", stat = "Average", op = "GreaterThanOrEqualToThreshold", threshold = 2, periods = 2, period = 60, dims = local.alb, ok = false }
    rds-cpu             = { metric = "CPUUtilization", namespace = "AWS/RDS", stat = "Average", op = "GreaterThanOrEqualToThreshold", threshold = 80, periods = 2, period = 60, dims = local.rds, ok = true }
    rds-storage         = { metric = "FreeStorageSpace", namespace = "AWS/RDS", stat = "Minimum", op = "LessThanOrEqualToThreshold", threshold = 2 * 1024 * 1024 * 1024, periods = 1, period = 60, dims = local.rds, ok = true }
    rds-connections     = { metric = "DatabaseConnections", namespace = "AWS/RDS", stat = "Maximum", op = "GreaterThanOrEqualToThreshold", threshold = floor(local.db_max_connections * 0.8), periods = 2, period = 60, dims = local.rds, ok = true }
  }
}

resource "aws_sns_topic" "alerts" {
  name              = "${var.name}-alerts"
  kms_master_key_id = "alias/aws/sns"
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = var.alert_email
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each            = local.alarms
  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = "${each.value.metric} ${each.value.op} ${each.value.threshold} (${var.name})"
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  statistic           = each.value.stat
  comparison_operator = each.value.op
  threshold           = each.value.threshold
  evaluation_periods  = each.value.periods
  period              = each.value.period
  dimensions          = each.value.dims
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.both
  ok_actions          = each.value.ok ? local.both : []
  tags                = var.tags
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({
    widgets = [
      for i, w in [
        { title = "ASG CPU", metrics = [["AWS/EC2", "CPUUtilization", "AutoScalingGroupName", var.autoscaling_group_name]] },
        { title = "ASG network I/O", metrics = [["AWS/EC2", "NetworkIn", "AutoScalingGroupName", var.autoscaling_group_name], ["AWS/EC2", "NetworkOut", "AutoScalingGroupName", var.autoscaling_group_name]] },
        { title = "ALB requests and errors", metrics = [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", var.alb_arn_suffix], ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", var.alb_arn_suffix], ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", var.alb_arn_suffix]] },
        { title = "ALB latency", metrics = [["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", var.alb_arn_suffix]] },
        { title = "RDS CPU and connections", metrics = [["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", var.db_instance_identifier], ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", var.db_instance_identifier]] },
        { title = "RDS free storage", metrics = [["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", var.db_instance_identifier]] },
        ] : {
        type   = "metric"
        x      = (i % 2) * 12
        y      = floor(i / 2) * 6
        width  = 12
        height = 6
        properties = {
          title   = w.title
          metrics = w.metrics
          region  = var.region
          stat    = "Average"
          period  = 300
        }
      }
    ]
  })
}
