using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Marketplace.Payment.Data.Migrations
{
    /// <inheritdoc />
    public partial class ChargeAtOnce : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "capture_at_once",
                table: "payment_intents",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "capture_at_once",
                table: "payment_intents");
        }
    }
}
