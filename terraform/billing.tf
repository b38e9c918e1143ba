# Billing alarms: one CloudWatch alarm per threshold ($10, $20, ... $100 by default) on
# the account's month-to-date estimated charges, all to one SNS topic with an email
# subscription. Billing metrics exist only in us-east-1 (provider aws.billing), and
# only after "Receive CloudWatch billing alerts" is turned on once in the Billing
# console (README.md "Billing alarms"). The email subscription stays "pending" until
# the recipient clicks the link AWS sends.

resource "aws_sns_topic" "billing" {
  provider = aws.billing

  name = "${var.name}-billing-alerts"
}

resource "aws_sns_topic_subscription" "billing_email" {
  provider = aws.billing

  topic_arn = aws_sns_topic.billing.arn
  protocol  = "email"
  endpoint  = var.billing_alert_email
}

resource "aws_cloudwatch_metric_alarm" "billing" {
  provider = aws.billing
  for_each = { for t in var.billing_alarm_thresholds_usd : format("%04d", t) => t }

  alarm_name        = "${var.name}-estimated-charges-usd-${each.key}"
  alarm_description = "Estimated AWS charges this month reached ${each.value} USD."

  namespace   = "AWS/Billing"
  metric_name = "EstimatedCharges"
  dimensions  = { Currency = "USD" }
  statistic   = "Maximum"
  # The metric is published about every 6 hours.
  period              = 21600
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  threshold           = each.value
  comparison_operator = "GreaterThanOrEqualToThreshold"
  # Between data points, keep the current state rather than flapping to OK/missing.
  treat_missing_data = "ignore"

  alarm_actions = [aws_sns_topic.billing.arn]
}

# Optional: an AWS Budget with forecast and actual notifications by email.
resource "aws_budgets_budget" "monthly" {
  provider = aws.billing
  count    = var.enable_budget ? 1 : 0

  name         = "${var.name}-monthly"
  budget_type  = "COST"
  limit_amount = tostring(var.budget_limit_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = 80
    threshold_type             = "PERCENTAGE"
    notification_type          = "ACTUAL"
    subscriber_email_addresses = [var.billing_alert_email]
  }

  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = 100
    threshold_type             = "PERCENTAGE"
    notification_type          = "FORECASTED"
    subscriber_email_addresses = [var.billing_alert_email]
  }
}
