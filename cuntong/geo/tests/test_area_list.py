from cuntong.geo.models import Area


def test_area_list_query_count_is_pinned(base_data, django_assert_max_num_queries):
    from cuntong.web.testing import login, make_user

    client = login(make_user("office-user", "office"))
    with django_assert_max_num_queries(12):
        response = client.get("/geo/")
    assert response.status_code == 200
    assert Area.objects.filter(code__startswith="445281").count() > 30
