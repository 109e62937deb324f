using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Marketplace.Payment.Data.Migrations
{
    /// <inheritdoc />
    public partial class PaymentIntents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "payment_intents",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    order_id = table.Column<Guid>(type: "uuid", nullable: false),
                    buyer_id = table.Column<Guid>(type: "uuid", nullable: false),
                    amount = table.Column<decimal>(type: "numeric(19,4)", nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    payment_method = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    desired = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    provider_intent_id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    captured_amount = table.Column<decimal>(type: "numeric(19,4)", nullable: false),
                    refunded_amount = table.Column<decimal>(type: "numeric(19,4)", nullable: false),
                    decline_reason = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    lease_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    lease_owner = table.Column<Guid>(type: "uuid", nullable: true),
                    last_error = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_payment_intents", x => x.id);
                    table.CheckConstraint("ck_payment_intents_amount", "amount >= 0");
                    table.CheckConstraint("ck_payment_intents_captured_within_amount", "captured_amount >= 0 AND captured_amount <= amount");
                    table.CheckConstraint("ck_payment_intents_desired", "desired IN ('Authorized', 'Captured', 'Voided', 'Refunded')");
                    table.CheckConstraint("ck_payment_intents_refunded_within_captured", "refunded_amount >= 0 AND refunded_amount <= captured_amount");
                    table.CheckConstraint("ck_payment_intents_status", "status IN ('New', 'Processing', 'Authorized', 'Declined', 'Captured', 'Voided', 'Refunded')");
                });

            migrationBuilder.CreateTable(
                name: "payment_operations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    payment_intent_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    idempotency_key = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    http_status = table.Column<int>(type: "integer", nullable: true),
                    outcome = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    duration_ms = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_payment_operations", x => x.id);
                    table.ForeignKey(
                        name: "FK_payment_operations_payment_intents_payment_intent_id",
                        column: x => x.payment_intent_id,
                        principalTable: "payment_intents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_payment_intents_due",
                table: "payment_intents",
                column: "next_attempt_at",
                filter: "status IN ('New', 'Processing') OR (status = 'Authorized' AND desired <> 'Authorized') OR (status = 'Captured' AND desired = 'Refunded')");

            migrationBuilder.CreateIndex(
                name: "ux_payment_intents_order_id",
                table: "payment_intents",
                column: "order_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_payment_intents_provider_intent_id",
                table: "payment_intents",
                column: "provider_intent_id",
                unique: true,
                filter: "provider_intent_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_payment_operations_intent",
                table: "payment_operations",
                columns: new[] { "payment_intent_id", "at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "payment_operations");

            migrationBuilder.DropTable(
                name: "payment_intents");
        }
    }
}
