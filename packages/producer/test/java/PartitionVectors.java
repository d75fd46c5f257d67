// Golden vectors for the producer's partitioner, computed by the Java client itself (kafka-clients).
// Prints one JSON object: {"client":"kafka-clients <version>","vectors":[{"keyHex":..,"murmur2":..,"partitions":{"1":p,..}}]}
// Keys are given as hex of their UTF-8 bytes (arguments), or a built-in list when there are none, so that
// non-ASCII keys survive any shell or file encoding. Compile and run:
//   javac -cp "$(bash scripts/kafka.sh classpath)/*" -d <out> PartitionVectors.java
//   java -cp "<out>:$(bash scripts/kafka.sh classpath)/*" PartitionVectors [hex ...]
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Utils;

public final class PartitionVectors {
  static final int[] COUNTS = {1, 3, 7, 12, 50, 100};

  static final String[] DEFAULT_KEYS = {
    "", "a", "ab", "abc", "abcd", "abcde", "vm-1", "vm-42", "vm-12345", "DEV.vm-12345", "tenantA.vm-12345",
    "PROD.tenantB.vm-54321", "bugfest.fs09000000.vm-7", "00000000-0000-0000-0000-000000000000",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "caf\u00e9", "\u00e9", "vm-\u00e9t\u00e9", "\u65e5\u672c", "\u65e5\u672c.vm-1", "\ud83d\ude80", "vm-\ud83d\ude80-\ud83c\udf89",
    "\u00fc\u00f6\u00e4\u00df", "\u0440\u0443\u0441\u0441\u043a\u0438\u0439", "\u4e2d\u6587\u952e", "x".repeat(255)
  };

  public static void main(String[] args) {
    List<byte[]> keys = new ArrayList<>();
    if (args.length == 0) {
      for (String k : DEFAULT_KEYS) keys.add(k.getBytes(StandardCharsets.UTF_8));
    } else {
      for (String hex : args) keys.add(fromHex(hex));
    }
    StringBuilder out = new StringBuilder();
    out.append("{\"client\":\"kafka-clients ").append(AppInfoParser.getVersion()).append("\",\"vectors\":[");
    for (int i = 0; i < keys.size(); i++) {
      byte[] key = keys.get(i);
      if (i > 0) out.append(',');
      out.append("\n{\"keyHex\":\"").append(toHex(key)).append("\",\"murmur2\":").append(Utils.murmur2(key));
      out.append(",\"partitions\":{");
      for (int j = 0; j < COUNTS.length; j++) {
        if (j > 0) out.append(',');
        out.append('"').append(COUNTS[j]).append("\":").append(BuiltInPartitioner.partitionForKey(key, COUNTS[j]));
      }
      out.append("}}");
    }
    out.append("\n]}");
    System.out.println(out);
  }

  static String toHex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (byte x : b) s.append(String.format("%02x", x));
    return s.toString();
  }

  static byte[] fromHex(String s) {
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    return b;
  }
}
