using System.Net.Sockets;

namespace Marketplace.Testing;

/// <summary>Readiness probes that speak each server's protocol (a bare TCP connect proves nothing behind a proxy).</summary>
public static class Probes
{
    public static async Task<bool> PostgresAsync(string host, int port, CancellationToken ct)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, ct);
            var stream = client.GetStream();
            await stream.WriteAsync(new byte[] { 0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F }, ct);
            var reply = new byte[1];
            return await stream.ReadAsync(reply, ct) == 1 && reply[0] is (byte)'N' or (byte)'S';
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    public static async Task<bool> AmqpAsync(string host, int port, CancellationToken ct)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, ct);
            var stream = client.GetStream();
            await stream.WriteAsync("AMQP\0\0\x09\x01"u8.ToArray(), ct);
            var reply = new byte[1];
            return await stream.ReadAsync(reply, ct) == 1 && reply[0] == 1;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    public static async Task<bool> TcpAsync(string host, int port, CancellationToken ct)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, ct);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
