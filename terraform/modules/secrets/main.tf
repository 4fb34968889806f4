# The database credentials: a generated password stored as JSON in Secrets Manager, encrypted with the
# environment's secrets key.

resource "random_password" "db" {
  length           = 32
  special          = true
  override_special = "!#$%^&*()-_=+[]{}:?"
}

# infracheck:ignore IC-SM-002 reason="Document 003 gives the secret a 7-day recovery window and no rotation function"
resource "aws_secretsmanager_secret" "db" {
  name                    = "${var.name}/db/credentials"
  description             = "Master credentials of the ${var.name} database."
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_in_days
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "db" {
  secret_id = aws_secretsmanager_secret.db.id
  secret_string = jsonencode({
    engine   = "mysql"
    username = var.db_username
    password = random_password.db.result
    dbname   = var.db_name
    port     = 3306
  })
}
