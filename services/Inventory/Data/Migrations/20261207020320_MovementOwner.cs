using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Marketplace.Inventory.Data.Migrations
{
    /// <inheritdoc />
    public partial class MovementOwner : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "merchant_id",
                table: "stock_movements",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            // Rows written before ownership could change belong to the SKU's one owner so far.
            migrationBuilder.Sql("UPDATE stock_movements m SET merchant_id = i.merchant_id FROM stock_items i WHERE i.sku = m.sku;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "merchant_id",
                table: "stock_movements");
        }
    }
}
