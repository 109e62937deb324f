using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Marketplace.Users.Data.Migrations
{
    /// <inheritdoc />
    public partial class ContactRevision : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ContactRevision",
                table: "profiles",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ContactRevision",
                table: "profiles");
        }
    }
}
