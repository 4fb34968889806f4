# The MySQL database: KMS-encrypted gp3 storage, IAM authentication, slow query logging, enhanced
# monitoring, a nightly backup window and a final snapshot; Multi-AZ where the environment asks.

resource "aws_db_parameter_group" "this" {
  name_prefix = "${var.name}-mysql80-"
  family      = "mysql8.0"
  description = "MySQL 8.0 parameters of ${var.name}"

  parameter {
    name  = "slow_query_log"
    value = "1"
  }

  parameter {
    name  = "long_query_time"
    value = "2"
  }

  parameter {
    name  = "require_secure_transport"
    value = "1"
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_db_instance" "this" {
  identifier     = "${var.name}-db"
  engine         = "mysql"
  engine_version = var.engine_version
  instance_class = var.instance_class
  db_name        = var.db_name
  username       = var.username
  password       = var.password
  port           = 3306

  allocated_storage     = 20
  max_allocated_storage = 100
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = var.kms_key_arn

  multi_az               = var.multi_az
  db_subnet_group_name   = var.db_subnet_group_name
  vpc_security_group_ids = [var.security_group_id]
  publicly_accessible    = false
  parameter_group_name   = aws_db_parameter_group.this.name

  iam_database_authentication_enabled = true
  monitoring_interval                 = 60
  monitoring_role_arn                 = var.monitoring_role_arn
  performance_insights_enabled        = false
  enabled_cloudwatch_logs_exports     = ["error", "slowquery"]

  backup_retention_period   = var.backup_retention_days
  backup_window             = "02:00-03:00"
  maintenance_window        = "sun:04:00-sun:05:00"
  delete_automated_backups  = false
  copy_tags_to_snapshot     = true
  skip_final_snapshot       = false
  final_snapshot_identifier = "${var.name}-db-final"
  deletion_protection       = var.deletion_protection

  auto_minor_version_upgrade = true
  apply_immediately          = false

  tags = var.tags
}
