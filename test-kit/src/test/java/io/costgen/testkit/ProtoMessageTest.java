package io.costgen.testkit;

import io.costgen.onnx.graph.ProtoMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtoMessageTest {

  @Test
  void varintField_usesSevenBitGroupsLeastSignificantFirst() throws IOException {
    // protobuf encoding guide example: 150 in field 1 = 08 96 01; 300 = AC 02.
    assertThat(new ProtoMessage().varint(1, 150).toByteArray())
        .containsExactly(0x08, 0x96, 0x01);
    assertThat(new ProtoMessage().varint(2, 300).toByteArray())
        .containsExactly(0x10, 0xAC, 0x02);
  }

  @Test
  void negativeVarint_takesTenBytesTwosComplement() throws IOException {
    byte[] b = new ProtoMessage().varint(1, -1).toByteArray();
    assertThat(b).hasSize(11);
    assertThat(b[0]).isEqualTo((byte) 0x08);
    for (int i = 1; i < 10; i++) {
      assertThat(b[i]).isEqualTo((byte) 0xFF);
    }
    assertThat(b[10]).isEqualTo((byte) 0x01);
    assertThat(ProtoMessage.varintSize(-1)).isEqualTo(10);
    assertThat(ProtoMessage.varintSize(127)).isEqualTo(1);
    assertThat(ProtoMessage.varintSize(128)).isEqualTo(2);
  }

  @Test
  void stringFloatAndNestedFields_encodeWithLengthsAndFixed32() throws IOException {
    ProtoMessage inner = new ProtoMessage().string(2, "hi");
    assertThat(inner.toByteArray()).containsExactly(0x12, 0x02, 'h', 'i');
    assertThat(new ProtoMessage().float32(2, 1.0f).toByteArray())
        .containsExactly(0x15, 0x00, 0x00, 0x80, 0x3F);
    ProtoMessage outer = new ProtoMessage().varint(1, 7).message(3, inner).varint(4, 1);
    assertThat(outer.size()).isEqualTo(outer.toByteArray().length);
    assertThat(outer.toByteArray())
        .containsExactly(0x08, 0x07, 0x1A, 0x04, 0x12, 0x02, 'h', 'i', 0x20, 0x01);
  }

  @Test
  void blob_isStreamedAtItsPlace_andDecodesAsLengthDelimited() throws IOException {
    ProtoMessage m = new ProtoMessage().varint(1, 5)
        .blob(9, 8, out -> {
          out.writeFloat(1.5f);
          out.writeFloat(-2f);
        })
        .string(8, "w");
    Map<Integer, List<Object>> fields = ProtoReader.parse(m.toByteArray());
    assertThat(ProtoReader.varint(fields, 1)).isEqualTo(5);
    byte[] raw = (byte[]) fields.get(9).get(0);
    assertThat(java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat(4))
        .isEqualTo(-2f);
    assertThat(ProtoReader.string(fields, 8)).isEqualTo("w");
    assertThat(m.size()).isEqualTo(m.toByteArray().length);
  }

  @Test
  void blobWriter_thatWritesTheWrongLength_fails() {
    ProtoMessage m = new ProtoMessage().blob(9, 8, out -> out.writeFloat(1f));
    assertThatThrownBy(m::toByteArray)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("wrote 4 bytes, declared 8");
  }
}
