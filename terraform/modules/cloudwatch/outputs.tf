output "alerts_topic_arn" {
  description = "ARN of the alerts topic."
  value       = aws_sns_topic.alerts.arn
}

output "alarm_names" {
  description = "Names of the alarms."
  value       = sort([for a in aws_cloudwatch_metric_alarm.this : a.alarm_name])
}
